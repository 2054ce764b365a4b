import Foundation
import FourierLens
import FourierLensTorch

/// What every model workload starts from: the model, a seeded random batch for it, the FLOPs
/// of one image's forward pass, and a result with the model's settings filled in. Writes the
/// model (--save-model) and the batch (--dump) when asked.
struct ModelBenchSetup {
  let model: TorchModel
  let data: ImageBatch
  /// FLOPs of one image's forward pass, counted by the shim from the network's definition.
  let forwardFLOPs: Double
  var result: BenchResult

  init(_ workload: String, timing: BenchRunOptions, input: BenchInputOptions, modelOptions: BenchModelOptions) throws {
    try modelOptions.compute.applyThreads()
    result = timing.result(workload, batch: input.batch)
    model = try modelOptions.load(input: try input.shape(), seed: timing.seed)
    let d = model.description
    if let saveModel = modelOptions.saveModel { try model.save(to: saveModel) }
    let batch = input.batch
    let images = BenchInputOptions.randomImages([batch] + d.input, seed: timing.seed &+ 2)
    var rng = SeededGenerator(seed: SeededGenerator.derive(timing.seed, 3))
    let labels = (0..<batch).map { _ in Int(rng.next() % UInt64(d.classes.count)) }
    data = ImageBatch(images: images, labels: labels, classNames: d.classes)
    forwardFLOPs = try model.forwardFLOPsPerImage()
    result.device = model.device.description
    result.arch = d.arch
    result.input = d.input
    result.foldBatchnorm = !modelOptions.noFoldBatchnorm
    result.blas = TorchRuntime.blasLibrary
    if let dump = input.dump {
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      try NPY.write(images, to: dump + "/images.npy")
      try NPY.write(ints: labels, shape: [batch], to: dump + "/labels.npy")
      if modelOptions.saveModel == nil { try model.save(to: dump + "/model") }
    }
  }
}
