import Foundation

/// Timing of the transforms mask learning runs in its inner loop.
public enum FrequencyBenchmark {
  /// Seconds per batch DFT round trip of an N×C×H×W batch, x → T⁻¹(T(x)) for every
  /// channel, through the path mask learning uses: `MaskOperator.setInput` (copy in, r2c)
  /// and `apply` with an all-ones mask (mask product, c2r with 1/(HW), copy out).
  /// The batch is random (seeded); an untimed warm-up call creates the plans, so the figure
  /// is the steady state with the current `FrequencyThreads` and `FrequencyPlanRigor`.
  public static func dftRoundTrip(batch: Int, channels: Int, height: Int, width: Int,
                                  iterations: Int) throws -> Double {
    guard batch > 0, channels > 0, height > 0, width > 0 else {
      throw FourierLensError.badOption(name: "--input", reason: "batch and C, H, W must be positive")
    }
    guard iterations > 0 else {
      throw FourierLensError.badOption(name: "iterations", reason: "must be positive, got \(iterations)")
    }
    let op = try MaskOperator(kind: .dft, channels: channels, height: height, width: width, layout: .shared)
    var g = SeededGenerator(seed: 1)
    let count = batch * channels * height * width
    let x = Tensor(shape: [batch, channels, height, width], data: (0..<count).map { _ in g.nextUniform() })
    let ones = [Float](repeating: 1, count: height * width)
    try op.setInput(x)
    let first = try op.apply(masks: ones, maskCount: 1, assignment: nil)
    // A round trip must return the input; anything else means the timing is of a broken transform.
    guard zip(first.data, x.data).allSatisfy({ abs($0 - $1) < 1e-4 }) else {
      throw FourierLensError.message("DFT round trip does not return its input")
    }
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations {
      try op.setInput(x)
      _ = try op.apply(masks: ones, maskCount: 1, assignment: nil)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations)
  }

  /// Seconds per `DFT2D.forwardHalf` + `DFT2D.inverseHalf` (the public array API, which
  /// also converts between Swift arrays and interleaved FFTW buffers).
  public static func dftArrayRoundTrip(batch: Int, channels: Int, height: Int, width: Int,
                                       iterations: Int) throws -> Double {
    guard iterations > 0, batch > 0 else {
      throw FourierLensError.badOption(name: "iterations", reason: "batch and iterations must be positive")
    }
    var g = SeededGenerator(seed: 1)
    let count = batch * channels * height * width
    let x = Tensor(shape: [batch, channels, height, width], data: (0..<count).map { _ in g.nextUniform() })
    _ = try DFT2D.inverseHalf(DFT2D.forwardHalf(x), width: width)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations { _ = try DFT2D.inverseHalf(DFT2D.forwardHalf(x), width: width) }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations)
  }

  /// Seconds per `MaskOperator.apply` plus `maskGradient` on an N×C×H×W batch with one
  /// shared mask: the frequency-side cost of one mask-learning step (T(x) cached).
  public static func maskStep(kind: TransformKind, batch: Int, channels: Int, height: Int, width: Int,
                              iterations: Int) throws -> Double {
    guard iterations > 0 else {
      throw FourierLensError.badOption(name: "iterations", reason: "must be positive, got \(iterations)")
    }
    let op = try MaskOperator(kind: kind, channels: channels, height: height, width: width, layout: .shared)
    var g = SeededGenerator(seed: 2)
    let count = batch * channels * height * width
    let x = Tensor(shape: [batch, channels, height, width], data: (0..<count).map { _ in g.nextUniform() })
    try op.setInput(x)
    let mask = [Float](repeating: 1, count: height * width)
    _ = try op.apply(masks: mask, maskCount: 1, assignment: nil)
    _ = try op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: x)
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<iterations {
      let y = try op.apply(masks: mask, maskCount: 1, assignment: nil)
      _ = try op.maskGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: y)
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(iterations)
  }
}
