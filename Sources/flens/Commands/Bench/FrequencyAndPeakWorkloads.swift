import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens bench fft`: the frequency stage of a mask-learning step alone.
struct FFTBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fft", abstract: "The frequency stage of a mask step: T(x), mask, T⁻¹ and the adjoint ∂L/∂M.")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var input: BenchInputOptions
  @OptionGroup var frequency: BenchTransformOption
  @OptionGroup var threadsOption: ThreadsOption

  func run() throws {
    try threadsOption.apply()
    var result = timing.result("fft", batch: input.batch)
    let shape = try input.shape()
    let (c, h, w) = (shape[0], shape[1], shape[2])
    let batch = input.batch
    let transform = frequency.transform
    let op = try MaskOperator(kind: transform, channels: c, height: h, width: w, layout: .shared)
    let x = BenchInputOptions.randomImages([batch, c, h, w], seed: timing.seed)
    let g = BenchInputOptions.randomImages([batch, c, h, w], seed: timing.seed &+ 1)
    var rng = SeededGenerator(seed: SeededGenerator.derive(timing.seed, 7))
    let mask = (0..<(h * w)).map { _ in rng.nextUniform() }
    var checksum = 0.0
    let t = try timing.time {
      try op.setInput(x)
      let y = try op.apply(masks: mask, maskCount: 1, assignment: nil)
      let gm = try op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)
      checksum = Double(y.data[0]) + Double(gm[0])
    }
    timing.record(t, images: batch, flopsPerImage: nil, into: &result)
    result.input = shape
    result.transform = transform.rawValue
    // 3 real 2-D FFTs of an H×W plane (x, y, g): about 3 · 2.5·HW·log2(HW) FLOPs per channel.
    let fftFlops = 3 * 2.5 * Double(h * w) * log2(Double(h * w)) * Double(c)
    result.gflops = fftFlops * Double(batch * timing.steps) / t.wall / 1e9
    result.checksum = checksum
    if let dump = input.dump {
      try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
      try op.setInput(x)
      try NPY.write(x, to: dump + "/images.npy")
      try NPY.write(g, to: dump + "/output_gradient.npy")
      try NPY.write(Tensor(shape: [h, w], data: mask), to: dump + "/mask.npy")
      try NPY.write(op.apply(masks: mask, maskCount: 1, assignment: nil), to: dump + "/masked.npy")
      try NPY.write(Tensor(shape: [h, w], data: op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)),
                    to: dump + "/mask_gradient.npy")
    }
    try timing.print(result)
  }
}

/// `flens bench gemm`: libtorch's float32 matrix product, the machine's peak.
struct GEMMBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gemm", abstract: "A 2048² float32 matrix product in libtorch: the peak GFLOP/s.")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var threadsOption: ThreadsOption

  func run() throws {
    try threadsOption.apply()
    let n = 2048
    // One matrix product per step; `batch` has no meaning here and is reported as 1.
    var result = timing.result("gemm", batch: 1)
    for _ in 0..<timing.warmup { _ = try TorchRuntime.matmulGFLOPS(size: n, repeats: 1) }
    let gflops = try TorchRuntime.matmulGFLOPS(size: n, repeats: timing.steps)
    result.size = n
    result.gflops = gflops
    result.secondsPerStep = 2 * pow(Double(n), 3) / (gflops * 1e9)
    result.blas = TorchRuntime.blasLibrary
    result.mkldnn = TorchRuntime.hasMKLDNN
    try timing.print(result)
  }
}
