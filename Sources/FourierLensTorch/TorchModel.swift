import CTorchShim
import Foundation
import FourierLens

/// A classifier computed by libtorch: a built-in architecture or an imported TorchScript
/// module, with the normalisation of its description applied inside the model.
///
/// Inputs are pixel-space NCHW batches. `logits` and `lossAndGradient` run in evaluation
/// mode with frozen weights (the shim switches modes per call), so attacks and mask learning
/// can use the model at any time, even between training steps. A model is not safe to use
/// from two threads at once; calls are serialised with a lock.
public final class TorchModel: Classifier, OwnFrequencyStage {
  /// The shim's handle; freed in deinit.
  let handle: OpaquePointer
  public private(set) var description: ModelDescription
  /// Where the model was loaded from or last saved to (used in error messages).
  public private(set) var location: String?
  private let lock = NSLock()
  /// Images per shim call in `logits`/`lossAndGradient` (bounds memory for large batches).
  public var chunkSize = 256
  /// Where weights and computation live (`move(to:)`); never `.auto`.
  public private(set) var device: ComputeDevice = .cpu
  /// Whether mask learning runs its frequency stage inside this model (`maskedPass`, with
  /// libtorch's FFT on the model's device) rather than with FFTW on the CPU. True on a GPU,
  /// where it keeps the data on the device; on the CPU FFTW's half-spectrum path is faster.
  public var prefersOwnFrequencyStage = false

  init(handle: OpaquePointer, description: ModelDescription, location: String?) {
    self.handle = handle
    self.description = description
    self.location = location
  }

  deinit { flt_model_free(handle) }

  /// The model's name in messages: its directory, or its architecture if it has none yet.
  var displayName: String { location ?? description.arch }

  // MARK: Creation and files

  /// A freshly initialised built-in architecture (weights drawn from `seed`).
  public static func create(
    architecture: TorchArchitecture, input: [Int], mean: [Float], std: [Float], classes: [String],
    seed: UInt64, training: TrainingRecord = TrainingRecord()
  ) throws -> TorchModel {
    let description = ModelDescription(arch: architecture.rawValue, input: input, mean: mean, std: std, classes: classes, training: training)
    try ModelDirectory.validate(description, file: "model description")
    return try create(description, seed: seed, location: nil)
  }

  private static func create(_ d: ModelDescription, seed: UInt64, location: String?) throws -> TorchModel {
    var handle: OpaquePointer?
    let status = d.mean.withUnsafeBufferPointer { mean in
      d.std.withUnsafeBufferPointer { std in
        flt_model_create(d.arch, Int32(d.input[0]), Int32(d.classes.count), Int32(d.input[1]), Int32(d.input[2]),
                         mean.baseAddress, std.baseAddress, seed, &handle)
      }
    }
    // An architecture the shim does not know is the description file's error, or --arch's.
    try ShimStatus.check(status, file: location.map(ModelDirectory.descriptionPath), option: "--arch")
    let model = TorchModel(handle: handle!, description: d, location: location)
    if TorchArchitecture(rawValue: d.arch)?.prefersChannelsLast(input: d.input) == true { try model.setChannelsLast(true) }
    return model
  }

  /// Loads a model directory written by `save(to:)` (or `flens train` / `flens import`).
  public static func load(from path: String) throws -> TorchModel {
    let d = try ModelDirectory.readDescription(path)
    if d.arch == ModelDirectory.torchScriptArch {
      let model = try loadTorchScript(file: ModelDirectory.torchScriptPath(path), description: d)
      model.location = path
      return model
    }
    let model = try create(d, seed: 0, location: path)
    let weights = ModelDirectory.weightsPath(path)
    guard FileManager.default.fileExists(atPath: weights) else {
      throw FourierLensError.badFile(path: weights, reason: "missing (the model's weights)")
    }
    try ShimStatus.check(flt_model_load_weights(model.handle, weights), file: weights)
    return model
  }

  /// Wraps a TorchScript module (saved by `torch.jit.save` or `torch.jit.trace(...).save`) that
  /// maps normalised input of shape [N] + description.input to [N, classes] logits.
  public static func importTorchScript(file: String, description: ModelDescription) throws -> TorchModel {
    var d = description
    d.arch = ModelDirectory.torchScriptArch
    try ModelDirectory.validate(d, file: file)
    return try loadTorchScript(file: file, description: d)
  }

  private static func loadTorchScript(file: String, description d: ModelDescription) throws -> TorchModel {
    guard FileManager.default.fileExists(atPath: file) else {
      throw FourierLensError.badFile(path: file, reason: "missing (the TorchScript module)")
    }
    var handle: OpaquePointer?
    let status = d.mean.withUnsafeBufferPointer { mean in
      d.std.withUnsafeBufferPointer { std in
        flt_model_load_torchscript(file, Int32(d.input[0]), Int32(d.input[1]), Int32(d.input[2]), Int32(d.classes.count),
                                   mean.baseAddress, std.baseAddress, &handle)
      }
    }
    try ShimStatus.check(status, file: file)
    return TorchModel(handle: handle!, description: d, location: nil)
  }

  /// Copies a state dict into this built-in model: a PyTorch file (Python:
  /// `torch.save(model.state_dict(), path)`) or a `.safetensors` file (Python:
  /// `safetensors.torch.save_file(model.state_dict(), path)`). Names and shapes must match exactly.
  public func loadStateDict(file: String) throws {
    guard description.arch != ModelDirectory.torchScriptArch else {
      throw FourierLensError.badOption(name: "--state-dict", reason: "state dicts load into built-in architectures, not TorchScript modules")
    }
    if file.hasSuffix(".safetensors") {
      try loadSafeTensors(SafeTensorsFile.read(file), file: file)
    } else {
      try locked { try ShimStatus.check(flt_model_load_state_dict(handle, file), file: file) }
    }
  }

  /// The tensors of a `.safetensors` state dict, by name (the same checks as a PyTorch file).
  private func loadSafeTensors(_ tensors: SafeTensorsFile, file: String) throws {
    let entries = tensors.entries
    let dtypes: [Int32] = entries.map {
      switch $0.dtype {
      case .float32: return FLT_DTYPE_FLOAT32
      case .float64: return FLT_DTYPE_FLOAT64
      case .float16: return FLT_DTYPE_FLOAT16
      case .bfloat16: return FLT_DTYPE_BFLOAT16
      case .int64: return FLT_DTYPE_INT64
      }
    }
    let ranks = entries.map { Int32($0.shape.count) }
    let shapes = entries.flatMap { $0.shape.map { Int64($0) } }
    // Stable C strings for the duration of the call; the tensors' bytes are read in place
    // (the shim copies them into the model's own tensors).
    let names = entries.map { strdup($0.name) }
    defer { names.forEach { free($0) } }
    let namePointers: [UnsafePointer<CChar>?] = names.map { UnsafePointer($0) }
    try tensors.bytes.withUnsafeBytes { raw in
      // The bytes are the whole file (at least its 8-byte header), so they have an address;
      // a tensor of no elements points at the end of its neighbour's bytes and is not read.
      guard let base = raw.baseAddress else { throw FourierLensError.badFile(path: file, reason: "empty") }
      let dataPointers: [UnsafeRawPointer?] = entries.map { base + $0.range.lowerBound }
      try locked {
        try ShimStatus.check(
          flt_model_load_named_tensors(handle, Int64(entries.count), namePointers, dtypes, ranks, shapes, dataPointers),
          file: file)
      }
    }
  }

  /// Writes the model directory: weights (or module) first, then model.json.
  public func save(to path: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: path, reason: "cannot create the model directory (\(error.localizedDescription))")
    }
    try locked {
      if description.arch == ModelDirectory.torchScriptArch {
        let file = ModelDirectory.torchScriptPath(path)
        try ShimStatus.check(flt_model_save_torchscript(handle, file), file: file)
      } else {
        let file = ModelDirectory.weightsPath(path)
        try ShimStatus.check(flt_model_save_weights(handle, file), file: file)
      }
    }
    try AtomicFile.writeJSON(description, to: ModelDirectory.descriptionPath(path))
    location = path
  }

  /// Reads weights written by `saveWeights` (or a model directory's weights.pt).
  func loadWeights(file: String) throws {
    try locked { try ShimStatus.check(flt_model_load_weights(handle, file), file: file) }
  }

  /// Writes only the weights (checkpoints keep the description elsewhere).
  func saveWeights(file: String) throws {
    try locked { try ShimStatus.check(flt_model_save_weights(handle, file), file: file) }
  }

  /// Replaces the free-form training record (written by `save`).
  public func setTrainingRecord(_ record: TrainingRecord) {
    description.training = record
  }

  /// Names and shapes of every parameter and buffer, in PyTorch's state_dict order.
  public func stateEntries() throws -> [(name: String, shape: [Int])] {
    try locked {
      var count: Int64 = 0, elements: Int64 = 0
      try ShimStatus.check(flt_model_tensor_count(handle, &count, &elements), model: displayName)
      var result: [(String, [Int])] = []
      var name = [CChar](repeating: 0, count: 512)
      var shape = [Int64](repeating: 0, count: 8)
      var rank: Int32 = 0
      for i in 0 ..< count {
        try ShimStatus.check(flt_model_tensor_info(handle, i, &name, name.count, &shape, Int32(shape.count), &rank), model: displayName)
        result.append((String(nulTerminated: name), shape.prefix(Int(rank)).map { Int($0) }))
      }
      return result
    }
  }

  // MARK: Device

  /// Moves weights and computation to `device` (`auto` resolved first). Call before training
  /// creates an optimiser. Throws naming `--device` when that device is not available.
  public func move(to requested: ComputeDevice) throws {
    let target = requested.resolved()
    // The shim refuses a device that is not there (FLT_ERR_DEVICE, with libtorch's reason).
    try locked { try ShimStatus.check(flt_model_to_device(handle, target.description), model: displayName) }
    device = target
    prefersOwnFrequencyStage = target.isCUDA
  }

  // MARK: Classifier

  public func logits(_ input: Tensor) throws -> [Float] {
    let n = try checkInput(input)
    let k = description.classes.count
    var out = [Float](repeating: 0, count: n * k)
    let perImage = input.strideOfFirstDimension
    try locked {
      try input.data.withUnsafeBufferPointer { x in
        try out.withUnsafeMutableBufferPointer { z in
          var start = 0
          while start < n {
            let m = min(chunkSize, n - start)
            try ShimStatus.check(
              flt_model_forward(handle, x.baseAddress! + start * perImage, Int64(m), Int64(input.shape[1]),
                                Int64(input.shape[2]), Int64(input.shape[3]), z.baseAddress! + start * k, Int64(k)),
              model: displayName)
            start += m
          }
        }
      }
    }
    return out
  }

  /// Computes in float64 from now on (on) or float32 (off, the default). Slower; used to
  /// check gradients against finite differences without float32 rounding.
  public func setDoublePrecision(_ on: Bool) throws {
    try locked { try ShimStatus.check(flt_model_set_double_precision(handle, on ? 1 : 0), model: displayName) }
  }

  /// Keeps weights and activations in channels-last (NHWC) order inside libtorch (faster
  /// oneDNN convolutions) or in NCHW order. Results agree up to float rounding; the arrays
  /// passed in and out are NCHW either way. Set it before creating an optimiser.
  public func setChannelsLast(_ on: Bool) throws {
    try locked { try ShimStatus.check(flt_model_set_channels_last(handle, on ? 1 : 0), model: displayName) }
  }

  /// Runs evaluation-mode calls with BatchNorm folded into the convolutions (on, the
  /// default) or through the plain layers (off). Results agree up to float rounding.
  public func setFoldsBatchNorm(_ on: Bool) throws {
    try locked { try ShimStatus.check(flt_model_set_fold_batchnorm(handle, on ? 1 : 0), model: displayName) }
  }

  public func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    let n = try checkInput(input)
    let k = description.classes.count
    if let w = sampleWeights, w.count != n {
      throw FourierLensError.shapeMismatch("\(w.count) sample weights for \(n) images")
    }
    let target = try ObjectiveBuffers(objective, images: n, classes: k, model: displayName)
    let (kind, labels, targets) = (target.kind, target.labels, target.targets)
    let weights = sampleWeights ?? [Float](repeating: 1 / Float(n), count: n)
    var losses = [Double](repeating: 0, count: n)
    var logits = [Float](repeating: 0, count: n * k)
    var gradient = [Float](repeating: 0, count: input.count)
    let perImage = input.strideOfFirstDimension
    try locked {
      try input.data.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { y in
          try targets.withUnsafeBufferPointer { t in
            try weights.withUnsafeBufferPointer { w in
              try losses.withUnsafeMutableBufferPointer { l in
                try logits.withUnsafeMutableBufferPointer { z in
                  try gradient.withUnsafeMutableBufferPointer { g in
                    var start = 0
                    // Chunks are independent: in evaluation mode each image's loss depends on it alone.
                    while start < n {
                      let m = min(chunkSize, n - start)
                      try ShimStatus.check(
                        flt_model_loss_gradient(
                          handle, x.baseAddress! + start * perImage, Int64(m), Int64(input.shape[1]), Int64(input.shape[2]),
                          Int64(input.shape[3]), kind, y.baseAddress.map { $0 + start }, t.baseAddress.map { $0 + start * k },
                          w.baseAddress! + start, Int64(k), l.baseAddress! + start, z.baseAddress! + start * k,
                          g.baseAddress! + start * perImage),
                        model: displayName)
                      start += m
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
    return LossAndGradient(perSampleLoss: losses, logits: logits, inputGradient: Tensor(shape: input.shape, data: gradient))
  }

  // MARK: OwnFrequencyStage

  public func maskedPass(_ images: Tensor, transform: TransformKind, layout: MaskLayout, masks: [Float], maskCount: Int,
                         assignment: [Int]?, objective: Objective) throws -> MaskedPass {
    let n = try checkInput(images)
    let k = description.classes.count
    let maskSize = (layout == .shared ? 1 : description.input[0]) * description.input[1] * description.input[2]
    guard maskCount >= 1, masks.count == maskCount * maskSize else {
      throw FourierLensError.shapeMismatch("\(masks.count) mask values for \(maskCount) masks of \(maskSize) values")
    }
    if let assignment, assignment.count != n {
      throw FourierLensError.shapeMismatch("\(assignment.count) mask assignments for \(n) images")
    }
    let target = try ObjectiveBuffers(objective, images: n, classes: k, model: displayName)
    let assign = assignment.map { $0.map { Int64($0) } } ?? []
    var losses = [Double](repeating: 0, count: n)
    var logits = [Float](repeating: 0, count: n * k)
    var pass: OpaquePointer?
    try locked {
      try images.data.withUnsafeBufferPointer { x in
        try masks.withUnsafeBufferPointer { m in
          try assign.withUnsafeBufferPointer { a in
            try target.labels.withUnsafeBufferPointer { y in
              try target.targets.withUnsafeBufferPointer { t in
                try ShimStatus.check(
                  flt_masked_forward(handle, x.baseAddress!, Int64(n), Int64(images.shape[1]), Int64(images.shape[2]),
                                     Int64(images.shape[3]), transform == .dft ? FLT_TRANSFORM_DFT : FLT_TRANSFORM_DCT,
                                     m.baseAddress!, Int64(maskCount), layout == .shared ? 0 : 1,
                                     assignment == nil ? nil : a.baseAddress, target.kind, y.baseAddress, t.baseAddress,
                                     Int64(k), &losses, &logits, &pass),
                  model: displayName)
              }
            }
          }
        }
      }
    }
    return TorchMaskedPass(model: self, handle: pass!, perSampleLoss: losses, logits: logits, gradientCount: masks.count)
  }

  /// Checks that a batch has the model's [C, H, W] and finite values; returns N.
  func checkInput(_ input: Tensor) throws -> Int {
    guard input.rank == 4, Array(input.shape.dropFirst()) == description.input else {
      throw FourierLensError.shapeMismatch(
        "model \(displayName) expects images of shape \(description.input) (C, H, W), got a batch of shape \(input.shape)")
    }
    guard input.shape[0] > 0 else { throw FourierLensError.shapeMismatch("empty batch for model \(displayName)") }
    return input.shape[0]
  }

  /// Runs `body` holding the model's lock.
  func locked<T>(_ body: () throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}

/// An objective as the shim takes it: its code, labels (as Int64) or soft targets.
struct ObjectiveBuffers {
  var kind: Int32
  var labels: [Int64] = []
  var targets: [Float] = []

  init(_ objective: Objective, images n: Int, classes k: Int, model: String) throws {
    switch objective {
    case let .crossEntropy(l):
      kind = FLT_OBJECTIVE_CROSS_ENTROPY
      labels = l.map { Int64($0) }
    case let .logitMargin(l):
      kind = FLT_OBJECTIVE_LOGIT_MARGIN
      labels = l.map { Int64($0) }
    case let .softCrossEntropy(t):
      kind = FLT_OBJECTIVE_SOFT_CROSS_ENTROPY
      targets = t
      guard t.count == n * k else {
        throw FourierLensError.shapeMismatch("soft targets have \(t.count) values, expected \(n)×\(k)")
      }
    }
    if kind != FLT_OBJECTIVE_SOFT_CROSS_ENTROPY {
      guard labels.count == n else { throw FourierLensError.shapeMismatch("\(labels.count) labels for \(n) images") }
      if let bad = labels.first(where: { $0 < 0 || $0 >= Int64(k) }) {
        throw FourierLensError.shapeMismatch("label \(bad) is outside 0...\(k - 1) for model \(model)")
      }
    }
  }
}

/// The shim's masked pass: the graph from the masks to the losses, on the model's device.
final class TorchMaskedPass: MaskedPass {
  let model: TorchModel
  let handle: OpaquePointer
  let perSampleLoss: [Double]
  let logits: [Float]
  let gradientCount: Int

  init(model: TorchModel, handle: OpaquePointer, perSampleLoss: [Double], logits: [Float], gradientCount: Int) {
    self.model = model
    self.handle = handle
    self.perSampleLoss = perSampleLoss
    self.logits = logits
    self.gradientCount = gradientCount
  }

  deinit { flt_masked_pass_free(handle) }

  func maskGradient(lossWeights: [Float]) throws -> [Float] {
    guard lossWeights.count == perSampleLoss.count else {
      throw FourierLensError.shapeMismatch("\(lossWeights.count) loss weights for \(perSampleLoss.count) images")
    }
    var gradient = [Float](repeating: 0, count: gradientCount)
    try model.locked { try ShimStatus.check(flt_masked_backward(handle, lossWeights, &gradient), model: model.displayName) }
    return gradient
  }
}
