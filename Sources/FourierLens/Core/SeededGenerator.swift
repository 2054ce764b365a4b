import Foundation

/// A small, fast, reproducible random number generator (SplitMix64).
///
/// Every random choice in FourierLens takes an explicit seed; the same seed gives the
/// same sequence on every machine, so the same command gives the same bytes.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A uniform Float in [0, 1).
  public mutating func nextUniform() -> Float {
    Float(next() >> 40) * (1.0 / Float(1 << 24))
  }

  /// A standard normal Float (Box–Muller).
  public mutating func nextGaussian() -> Float {
    var u1 = nextUniform()
    if u1 < 1e-12 { u1 = 1e-12 }
    let u2 = nextUniform()
    return (-2 * log(u1)).squareRoot() * cos(2 * Float.pi * u2)
  }

  /// An independent seed derived from this seed and a stream number (for per-epoch,
  /// per-batch or per-run streams that must not overlap).
  public static func derive(_ seed: UInt64, _ stream: UInt64) -> UInt64 {
    var g = SeededGenerator(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
    _ = g.next()
    return g.next()
  }
}

