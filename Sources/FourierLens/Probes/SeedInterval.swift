import Foundation

/// The mean of a few repeated measurements (one per seed) with its 95 % Student-t interval,
/// mean ± t₀.₉₇₅(s − 1) · sd / √s: with 3 to 10 seeds a normal interval would be too narrow.
public struct SeedInterval: Equatable, Sendable {
  public var mean: Double
  /// Sample standard deviation (n − 1); 0 for one value.
  public var standardDeviation: Double
  /// nil for a single value (no spread to estimate).
  public var low: Double?
  public var high: Double?

  public init(_ values: [Double]) {
    precondition(!values.isEmpty, "an interval needs at least one value")
    let n = Double(values.count)
    mean = values.reduce(0, +) / n
    guard values.count > 1 else {
      standardDeviation = 0
      return
    }
    let m = mean
    standardDeviation = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
    let half = Self.t975(degreesOfFreedom: values.count - 1) * standardDeviation / n.squareRoot()
    (low, high) = (mean - half, mean + half)
  }

  /// Two-sided 95 % quantiles of Student's t (0.975 quantile) for 1–30 degrees of freedom.
  static let t975Table: [Double] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
  ]

  /// t₀.₉₇₅(df): the table up to 30, beyond it the Cornish–Fisher expansion around the normal
  /// quantile (error below 1e-4 there).
  public static func t975(degreesOfFreedom df: Int) -> Double {
    precondition(df >= 1)
    if df <= t975Table.count { return t975Table[df - 1] }
    let z = 1.959963984540054, v = Double(df)
    let z3 = z * z * z, z5 = z3 * z * z
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
  }
}
