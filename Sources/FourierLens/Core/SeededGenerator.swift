import Foundation
import FourierLensNumerics

/// A small, fast, reproducible random number generator (SplitMix64, defined once in
/// FourierLensNumerics), with the uniform and Gaussian draws the project uses.
///
/// Every random choice in FourierLens takes an explicit seed; the same seed gives the
/// same sequence on every machine, so the same command gives the same bytes.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  private var source: SplitMix64

  public init(seed: UInt64) { source = SplitMix64(seed: seed) }

  /// The stream's whole state: `SeededGenerator(seed: state)` continues from here.
  public var state: UInt64 { source.state }

  public mutating func next() -> UInt64 { source.next() }

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

