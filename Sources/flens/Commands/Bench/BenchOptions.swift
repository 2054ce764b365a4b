import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// Options every workload shares: how many steps to time, the seed, how to print.
struct BenchRunOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Timed steps.", valueName: "n"))
  var steps = 10

  @Option(name: .long, help: ArgumentHelp("Untimed steps first.", valueName: "n"))
  var warmup = 2

  @Option(name: .long, help: ArgumentHelp("Seed of the model, images and labels.", valueName: "s"))
  var seed: UInt64 = 0

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    if steps < 1 { throw FourierLensError.badOption(name: "--steps", reason: "must be at least 1, got \(steps)") }
    if warmup < 0 { throw FourierLensError.badOption(name: "--warmup", reason: "must be ≥ 0, got \(warmup)") }
  }

  /// A result for `workload` with the settings every workload reports.
  func result(_ workload: String, batch: Int) -> BenchResult {
    BenchResult(workload: workload, batch: batch, steps: steps, warmup: warmup, threads: TorchRuntime.threads,
                fftwThreads: FrequencyThreads.current)
  }

  /// Times `steps` calls of `body` after `warmup` untimed ones.
  func time(_ body: () throws -> Void) throws -> StepTimes {
    for _ in 0..<warmup { try body() }
    var best = Double.infinity
    let cpu0 = ProcessMeasures.cpuSeconds()
    let t0 = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<steps {
      let s = DispatchTime.now().uptimeNanoseconds
      try body()
      best = min(best, Double(DispatchTime.now().uptimeNanoseconds - s) / 1e9)
    }
    let wall = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    return StepTimes(wall: wall, cpu: ProcessMeasures.cpuSeconds() - cpu0, best: best)
  }

  /// Fills the timing figures of `result` for `images` per step.
  func record(_ t: StepTimes, images: Int, flopsPerImage: Double?, into result: inout BenchResult) {
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

  /// Adds the process's figures to `result` and prints it.
  func print(_ result: BenchResult) throws {
    var result = result
    result.peakRSSBytes = ProcessMeasures.peakRSSBytes()
    result.loadAverage = ProcessMeasures.loadAverage()
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      Swift.print(String(decoding: try encoder.encode(result), as: UTF8.self))
    } else {
      let ips = result.imagesPerSecond.map { String(format: "%.1f images/s", $0) } ?? ""
      let gflops = result.gflops.map { String(format: ", %.1f GFLOP/s", $0) } ?? ""
      let step = result.secondsPerStep.map { String(format: ", %.2f ms per step", 1000 * $0) } ?? ""
      Swift.print("\(result.workload): \(ips)\(step)\(gflops)")
    }
  }
}

/// Wall and CPU seconds of the timed steps, and the fastest step.
struct StepTimes {
  var wall: Double
  var cpu: Double
  var best: Double
}

/// The synthetic batch of `fft` and the model workloads.
struct BenchInputOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Input shape of the fresh model (and of fft).", valueName: "c,h,w"))
  var input = "3,32,32"

  @Option(name: .long, help: ArgumentHelp("Images per step.", valueName: "n"))
  var batch = 128

  @Option(name: .long, help: ArgumentHelp("Write images.npy, labels.npy and the first step's result here.", valueName: "dir"))
  var dump: String?

  func validate() throws {
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be at least 1, got \(batch)") }
    _ = try shape()
  }

  /// `--input` as [C, H, W].
  func shape() throws -> [Int] {
    let parts = input.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard parts.count == 3, parts.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw FourierLensError.badOption(name: "--input", reason: "expected C,H,W with positive integers, got '\(input)'")
    }
    return parts.map { $0! }
  }

  /// Seeded uniform images in [0, 1].
  static func randomImages(_ shape: [Int], seed: UInt64) -> Tensor {
    var g = SeededGenerator(seed: SeededGenerator.derive(seed, 11))
    return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUniform() })
  }
}

/// The frequency transform of `mask-step`, `fft` and `masked-forward`.
struct BenchTransformOption: ParsableArguments {
  @Option(name: .long, help: "Frequency transform, dft or dct.")
  var transform: TransformKind = .dft
}

/// The model of the model workloads: a directory, or a fresh seeded architecture.
struct BenchModelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("A model directory (default: a fresh --arch model).", valueName: "model"))
  var model: String?

  @Option(name: .long, help: ArgumentHelp("Architecture of the fresh model.", valueName: "arch"))
  var arch: TorchArchitecture = .smallcnn

  @Option(name: .long, help: ArgumentHelp("Classes of the fresh model.", valueName: "n"))
  var classes = 10

  @OptionGroup var compute: ComputeOptions

  @Option(name: .long, help: ArgumentHelp("Memory order inside libtorch: auto, nchw or nhwc.", valueName: "order"))
  var memoryFormat = "auto"

  @Flag(name: .long, help: "Run evaluation-mode calls through the plain BatchNorm layers (default: folded into the convolutions).")
  var noFoldBatchnorm = false

  @Option(name: .long, help: ArgumentHelp("Write the model used to this directory.", valueName: "dir"))
  var saveModel: String?

  func validate() throws {
    if classes < 2 { throw FourierLensError.badOption(name: "--classes", reason: "must be at least 2, got \(classes)") }
    try MemoryFormat.validate(memoryFormat)
  }

  /// The model on its device, in the memory order and BatchNorm mode asked for.
  func load(input: [Int], seed: UInt64) throws -> TorchModel {
    let m: TorchModel
    if let model {
      m = try TorchModel.load(from: model)
    } else {
      let c = input[0]
      let mean: [Float] = c == 3 ? [0.4914, 0.4822, 0.4465] : [Float](repeating: 0.48, count: c)
      let std: [Float] = c == 3 ? [0.247, 0.243, 0.261] : [Float](repeating: 0.24, count: c)
      m = try TorchModel.create(architecture: arch, input: input, mean: mean, std: std,
                                classes: (0..<classes).map { "class\($0)" }, seed: seed)
    }
    try m.move(to: compute.computeDevice())
    try MemoryFormat.apply(memoryFormat, to: m)
    if noFoldBatchnorm { try m.setFoldsBatchNorm(false) }
    return m
  }
}
