import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens bench WORKLOAD`: throughput of FourierLens's own code paths on a synthetic batch,
/// for benchmarks/bench/compare.sh (which runs the same computation in PyTorch alternately).
///
/// Every workload calls the code the real commands run, not a copy of it: `mask-step` is
/// `MaskLearner`'s batch objective and optimiser update (through `MaskOptimization`),
/// `attack-step` the attack plugin's `perturb`, `train-step` `TorchOptimizer.step` with a new
/// learning rate (what `TorchTrainer` does per batch), `masked-forward` `MaskedClassifier`'s
/// logits (what the probes use), `fft` the frequency stage of a mask-learning step through
/// `MaskOperator`. `gemm` measures libtorch's float32 matrix product: the machine's peak.
struct BenchCommand: ParsableCommand {
  static let workloads = ["mask-step", "attack-step", "train-step", "fft", "masked-forward", "gemm"]

  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the throughput of a workload (images/s), for comparisons with PyTorch.",
    discussion: """
      WORKLOAD is one of: mask-step (one step of dataset-mask learning: the paper's loss, the \
      --param mask, the --transform), attack-step (one call of the --attack plugin, PGD-10 by \
      default), train-step (one SGD step in training mode), masked-forward (logits through a \
      mask, as the probes compute them), fft (the frequency stage of a mask step: T(x), mask, \
      T⁻¹ and the adjoint ∂L/∂M), gemm (a 2048² float32 matrix product: the peak GFLOP/s).

      The model is --model MODEL, or a freshly initialised --arch with --input (seeded). \
      Images and labels are random (seeded). --warmup steps run untimed first (plans, \
      allocations), then --steps timed steps. JSON keys: images_per_s, seconds_per_step, \
      cpu_seconds_per_image, peak_rss_bytes, gflops (model FLOPs: forward, plus the backward \
      the workload runs), model_gflop_per_image, and for mask-step frequency_seconds_per_step \
      and frequency_fraction (the frequency stage timed alone, alternating with the steps). \
      --save-model writes the model used (for the PyTorch side); --dump writes the batch and \
      the first step's result so that another implementation can check it computes the same.

      Examples:
        flens bench mask-step --arch smallcnn --input 3,32,32 --batch 128 --json
        flens bench fft --input 1,128,128 --batch 32 --threads 2
      """)

  @Argument(help: ArgumentHelp("mask-step, attack-step, train-step, fft, masked-forward or gemm.", valueName: "workload"))
  var workload: String

  @Option(name: .long, help: ArgumentHelp("A model directory (default: a fresh --arch model).", valueName: "model"))
  var model: String?

  @Option(name: .long, help: ArgumentHelp("Architecture of the fresh model: smallcnn, resnet18 or vgg11bn.", valueName: "arch"))
  var arch = "smallcnn"

  @Option(name: .long, help: ArgumentHelp("Input shape of the fresh model (and of fft).", valueName: "c,h,w"))
  var input = "3,32,32"

  @Option(name: .long, help: ArgumentHelp("Classes of the fresh model.", valueName: "n"))
  var classes = 10

  @Option(name: .long, help: ArgumentHelp("Images per step.", valueName: "n"))
  var batch = 128

  @Option(name: .long, help: ArgumentHelp("Timed steps.", valueName: "n"))
  var steps = 10

  @Option(name: .long, help: ArgumentHelp("Untimed steps first.", valueName: "n"))
  var warmup = 2

  @OptionGroup var compute: ComputeOptions

  @Option(name: .long, help: ArgumentHelp("Seed of the model, images and labels.", valueName: "s"))
  var seed: UInt64 = 0

  @Option(name: .long, help: "mask-step, fft, masked-forward: frequency transform, dft or dct.")
  var transform: TransformKind = .dft

  @Option(name: .long, help: ArgumentHelp("mask-step: mask parameterization plugin spec.", valueName: "spec"))
  var param = "free"

  @Option(name: .customLong("lambda"), help: "mask-step: weight of the sparsity term.")
  var lambda: Float = MaskLearningConfig().lambda

  @Option(name: .long, help: "mask-step: Adam learning rate.")
  var lr: Float = MaskLearningConfig().learningRate

  @Option(name: .long, help: ArgumentHelp("attack-step: attack plugin spec.", valueName: "spec"))
  var attack = "pgd-linf:eps=0.03,steps=10"

  @Option(name: .long, help: ArgumentHelp("Memory order inside libtorch: auto, nchw or nhwc.", valueName: "order"))
  var memoryFormat = "auto"

  @Flag(name: .long, help: "Run evaluation-mode calls through the plain BatchNorm layers (default: folded into the convolutions).")
  var noFoldBatchnorm = false

  @Option(name: .long, help: ArgumentHelp("Write the model used to this directory.", valueName: "dir"))
  var saveModel: String?

  @Option(name: .long, help: ArgumentHelp("Write images.npy, labels.npy and the first step's result here.", valueName: "dir"))
  var dump: String?

  @OptionGroup var plugins: PluginPathOptions

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    guard Self.workloads.contains(workload) else {
      throw FourierLensError.badOption(name: "WORKLOAD", reason: "unknown workload '\(workload)' (known: \(Self.workloads.joined(separator: ", ")))")
    }
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be at least 1, got \(batch)") }
    if steps < 1 { throw FourierLensError.badOption(name: "--steps", reason: "must be at least 1, got \(steps)") }
    if warmup < 0 { throw FourierLensError.badOption(name: "--warmup", reason: "must be ≥ 0, got \(warmup)") }
    if classes < 2 { throw FourierLensError.badOption(name: "--classes", reason: "must be at least 2, got \(classes)") }
    if model == nil { _ = try TorchArchitecture(parsing: arch, setting: "--arch") }
    try MemoryFormat.validate(memoryFormat)
    _ = try inputShape()
  }

  func inputShape() throws -> [Int] {
    let parts = input.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw FourierLensError.badOption(name: "--input", reason: "expected C,H,W with positive integers, got '\(input)'")
    }
    return parts.map { $0! }
  }

  // MARK: - Running

  func run() throws {
    try compute.applyThreads()
    var result = BenchResult(workload: workload, batch: batch, steps: steps, warmup: warmup,
                             threads: TorchRuntime.threads, fftwThreads: FrequencyThreads.current)
    switch workload {
    case "gemm": try gemm(into: &result)
    case "fft": try fft(into: &result)
    default: try modelWorkload(into: &result)
    }
    result.peakRSSBytes = Self.peakRSSBytes()
    result.loadAverage = Self.loadAverage()
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
      let ips = result.imagesPerSecond.map { String(format: "%.1f images/s", $0) } ?? ""
      let gflops = result.gflops.map { String(format: ", %.1f GFLOP/s", $0) } ?? ""
      let step = result.secondsPerStep.map { String(format: ", %.2f ms per step", 1000 * $0) } ?? ""
      print("\(workload): \(ips)\(step)\(gflops)")
    }
  }

  /// Times `steps` calls of `body` after `warmup` untimed ones; returns wall and CPU seconds.
  private func time(_ body: () throws -> Void) throws -> (wall: Double, cpu: Double, best: Double) {
    for _ in 0..<warmup { try body() }
    var best = Double.infinity
    let cpu0 = Self.processCPUSeconds()
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
      let s = DispatchTime.now().uptimeNanoseconds
      try body()
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9)
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return (wall, Self.processCPUSeconds() - cpu0, best)
  }

  private func record(_ t: (wall: Double, cpu: Double, best: Double), images: Int, flopsPerImage: Double?,
                      into result: inout BenchResult) {
    result.seconds = t.wall
    result.secondsPerStep = t.wall / Double(steps)
    result.bestSecondsPerStep = t.best
    result.imagesPerSecond = Double(images * steps) / t.wall
    result.cpuSecondsPerImage = t.cpu / Double(images * steps)
    if let f = flopsPerImage {
      result.modelGFLOPPerImage = f / 1e9
      result.gflops = f * Double(images * steps) / t.wall / 1e9
    }
  }

  private func gemm(into result: inout BenchResult) throws {
    let n = 2048
    for _ in 0..<warmup { _ = try TorchRuntime.matmulGFLOPS(size: n, repeats: 1) }
    let gflops = try TorchRuntime.matmulGFLOPS(size: n, repeats: steps)
    result.size = n
    result.gflops = gflops
    result.secondsPerStep = 2 * pow(Double(n), 3) / (gflops * 1e9)
    result.blas = TorchRuntime.blasLibrary
    result.mkldnn = TorchRuntime.hasMKLDNN
  }

  private func fft(into result: inout BenchResult) throws {
    let shape = try inputShape()
    let (c, h, w) = (shape[0], shape[1], shape[2])
    let op = try MaskOperator(kind: transform, channels: c, height: h, width: w, layout: .shared)
    let x = Self.randomImages([batch, c, h, w], seed: seed)
    let g = Self.randomImages([batch, c, h, w], seed: seed &+ 1)
    var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 7))
    let mask = (0..<(h * w)).map { _ in rng.nextUniform() }
    var checksum = 0.0
    let t = try time {
      try op.setInput(x)
      let y = try op.apply(masks: mask, maskCount: 1, assignment: nil)
      let gm = try op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)
      checksum = Double(y.data[0]) + Double(gm[0])
    }
    record(t, images: batch, flopsPerImage: nil, into: &result)
    result.input = shape
    result.transform = transform.rawValue
    // 3 real 2-D FFTs of an H×W plane (x, y, g): about 3 · 2.5·HW·log2(HW) FLOPs per channel.
    let fftFlops = 3 * 2.5 * Double(h * w) * log2(Double(h * w)) * Double(c)
    result.gflops = fftFlops * Double(batch * steps) / t.wall / 1e9
    result.checksum = checksum
    if let dump {
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      try op.setInput(x)
      try NPY.write(x, to: dump + "/images.npy")
      try NPY.write(g, to: dump + "/output_gradient.npy")
      try NPY.write(Tensor(shape: [h, w], data: mask), to: dump + "/mask.npy")
      try NPY.write(op.apply(masks: mask, maskCount: 1, assignment: nil), to: dump + "/masked.npy")
      try NPY.write(Tensor(shape: [h, w], data: op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)),
                    to: dump + "/mask_gradient.npy")
    }
  }

  private func loadModel() throws -> TorchModel {
    let m: TorchModel
    if let model {
      m = try TorchModel.load(from: model)
    } else {
      let shape = try inputShape()
      let c = shape[0]
      let mean: [Float] = c == 3 ? [0.4914, 0.4822, 0.4465] : [Float](repeating: 0.48, count: c)
      let std: [Float] = c == 3 ? [0.247, 0.243, 0.261] : [Float](repeating: 0.24, count: c)
      m = try TorchModel.create(architecture: TorchArchitecture(parsing: arch, setting: "--arch"), input: shape, mean: mean, std: std,
                                classes: (0..<classes).map { "class\($0)" }, seed: seed)
    }
    try m.move(to: compute.computeDevice())
    try MemoryFormat.apply(memoryFormat, to: m)
    if noFoldBatchnorm { try m.setFoldsBatchNorm(false) }
    return m
  }

  private func modelWorkload(into result: inout BenchResult) throws {
    let model = try loadModel()
    result.device = model.device.description
    let d = model.description
    if let saveModel { try model.save(to: saveModel) }
    let images = Self.randomImages([batch] + d.input, seed: seed &+ 2)
    var rng = SeededGenerator(seed: SeededGenerator.derive(seed, 3))
    let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(d.classes.count)) }
    let data = ImageBatch(images: images, labels: labels, classNames: d.classes)
    let forward = ModelFLOPs.forward(arch: d.arch, input: d.input, classes: d.classes.count)
    result.arch = d.arch
    result.input = d.input
    result.foldBatchnorm = !noFoldBatchnorm
    result.blas = TorchRuntime.blasLibrary
    if let dump {
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      try NPY.write(images, to: dump + "/images.npy")
      try NPY.write(ints: labels, shape: [batch], to: dump + "/labels.npy")
      if saveModel == nil { try model.save(to: dump + "/model") }
    }

    switch workload {
    case "mask-step":
      var config = MaskLearningConfig()
      config.transform = transform
      config.lambda = lambda
      config.learningRate = lr
      config.batchSize = batch
      config.seed = seed
      let mask = try plugins.registry().makeMask(param, channels: d.input[0], height: d.input[1], width: d.input[2],
                                                 layout: config.layout, transform: transform)
      let learner = try MaskLearner(model: model, parameterization: mask, config: config)
      learner.showsProgress = false
      var optimization = try MaskOptimization(learner: learner, batch: data)
      if let dump {
        let first = try optimization.objective(on: data)
        try NPY.write(Tensor(shape: [first.thetaGradient.count], data: first.thetaGradient), to: dump + "/theta_gradient.npy")
        result.firstLoss = Double(first.loss)
      }
      // Steps alternate with the frequency stage alone on the same batch, so both see the same load.
      for _ in 0..<warmup {
        try optimization.step(on: data, learningRate: lr)
        _ = try optimization.frequencyStage(data.images, outputGradient: images)
      }
      var stepSeconds = 0.0, frequencySeconds = 0.0, stepCPU = 0.0
      var best = Double.infinity
      for _ in 0..<steps {
        let c0 = Self.processCPUSeconds()
        let s0 = DispatchTime.now().uptimeNanoseconds
        try optimization.step(on: data, learningRate: lr)
        let s1 = DispatchTime.now().uptimeNanoseconds
        stepCPU += Self.processCPUSeconds() - c0
        _ = try optimization.frequencyStage(data.images, outputGradient: images)
        let s2 = DispatchTime.now().uptimeNanoseconds
        stepSeconds += Double(s1 - s0) / 1e9
        frequencySeconds += Double(s2 - s1) / 1e9
        best = min(best, Double(s1 - s0) / 1e9)
      }
      record((stepSeconds, stepCPU, best), images: batch, flopsPerImage: forward.map { 2 * $0 }, into: &result)
      result.frequencySecondsPerStep = frequencySeconds / Double(steps)
      result.frequencyFraction = frequencySeconds / stepSeconds
      result.transform = transform.rawValue
      result.param = param
      result.finalLoss = Double(try optimization.objective(on: data).loss)
    case "attack-step":
      let attackPlugin = try plugins.registry().makeAttack(attack)
      // Count the model calls once (untimed) for the FLOP figure.
      let counter = CountingClassifier(base: model)
      _ = try attackPlugin.perturb(data, model: counter, seed: seed)
      var s: UInt64 = seed
      let t = try time {
        s &+= 1
        _ = try attackPlugin.perturb(data, model: model, seed: s)
      }
      let perImage = forward.map { f in
        (Double(counter.gradientImages) * 2 * f + Double(counter.forwardImages) * f) / Double(batch)
      }
      record(t, images: batch, flopsPerImage: perImage, into: &result)
      result.attack = attack
      result.gradientCalls = counter.gradientCalls
    case "train-step":
      let optimizer = try TorchOptimizer(model: model, kind: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
      let schedule = OneCycleSchedule(maxLR: 0.1, totalSteps: 100)
      var step = 0
      var loss: Float = 0
      let t = try time {
        // The rate changes every step, as in TorchTrainer: its one-cycle schedule over 100 steps, repeated.
        try optimizer.setLearningRate(Double(schedule.learningRate(at: step % 100)))
        loss = try optimizer.step(data, seed: UInt64(step)).loss
        step += 1
      }
      record(t, images: batch, flopsPerImage: forward.map { 3 * $0 }, into: &result)
      result.lastLoss = Double(loss)
    case "masked-forward":
      var mrng = SeededGenerator(seed: SeededGenerator.derive(seed, 7))
      let op = try MaskOperator(kind: transform, channels: d.input[0], height: d.input[1], width: d.input[2], layout: .shared)
      let mask = (0..<op.maskSize).map { _ in mrng.nextUniform() }
      let masked = try MaskedClassifier(base: model, mask: mask, transform: transform, layout: .shared)
      if let dump {
        try NPY.write(Tensor(shape: op.maskShape, data: mask), to: dump + "/mask.npy")
        try NPY.write(Tensor(shape: [batch, d.classes.count], data: masked.logits(images)), to: dump + "/logits.npy")
      }
      let t = try time { _ = try masked.logits(images) }
      record(t, images: batch, flopsPerImage: forward, into: &result)
      result.transform = transform.rawValue
    default:
      throw FourierLensError.badOption(name: "WORKLOAD", reason: "unknown workload '\(workload)'")
    }
  }

  // MARK: - Helpers

  static func randomImages(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: SeededGenerator.derive(seed, 11))
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUniform() })
  }

  /// The process's maximum resident set size so far (getrusage; kilobytes on Linux).
  static func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024
  }

  static func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  static func loadAverage() -> [Double] {
    var loads = [Double](repeating: 0, count: 3)
    return getloadavg(&loads, 3) == 3 ? loads : []
  }
}

/// Passes calls through to a classifier and counts them (for FLOP figures of attacks).
final class CountingClassifier: Classifier {
  let base: Classifier
  private(set) var gradientCalls = 0
  private(set) var gradientImages = 0
  private(set) var forwardImages = 0

  init(base: Classifier) { self.base = base }

  var description: ModelDescription { base.description }

  func logits(_ input: Tensor) throws -> [Float] {
    forwardImages += input.shape[0]
    return try base.logits(input)
  }

  func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    gradientCalls += 1
    gradientImages += input.shape[0]
    return try base.lossAndGradient(input, objective: objective, sampleWeights: sampleWeights)
  }
}
