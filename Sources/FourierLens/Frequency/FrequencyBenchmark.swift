import Foundation

/// Timing of the transforms mask learning runs in its inner loop.
public enum FrequencyBenchmark {
  /// Seconds per batch DFT round trip of an N×C×H×W batch: forward half-spectrum DFT of
  /// every channel (r2c) and its inverse (c2r, normalised), both through `DFT2D`, i.e. what
  /// a caller gets including the copies between Swift arrays and FFTW buffers.
  /// The batch is random (seeded); one untimed warm-up call creates the plans first, so
  /// the figure is the steady state with the current `FrequencyThreads` and plan rigor.
  public static func dftRoundTrip(batch: Int, channels: Int, height: Int, width: Int,
                                  iterations: Int) throws -> Double {
    guard batch > 0, channels > 0, height > 0, width > 0 else {
      throw FourierLensError.badOption(name: "--input", reason: "batch and C, H, W must be positive")
    }
    guard iterations > 0 else {
      throw FourierLensError.badOption(name: "iterations", reason: "must be positive, got \(iterations)")
    }
    var g = SeededGenerator(seed: 1)
    let count = batch * channels * height * width
    let x = Tensor(shape: [batch, channels, height, width], data: (0..<count).map { _ in g.nextUniform() })
    _ = try DFT2D.inverseHalf(DFT2D.forwardHalf(x), width: width)
    let start = DispatchTime.now().uptimeNanoseconds
    var checksum: Float = 0
    for _ in 0..<iterations {
      let y = try DFT2D.inverseHalf(DFT2D.forwardHalf(x), width: width)
      checksum += y.data[0]
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    // A round trip must return the input; anything else means the timing is of a broken transform.
    guard abs(checksum / Float(iterations) - x.data[0]) < 1e-3 else {
      throw FourierLensError.message("DFT round trip returned \(checksum / Float(iterations)), expected \(x.data[0])")
    }
    return seconds / Double(iterations)
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
