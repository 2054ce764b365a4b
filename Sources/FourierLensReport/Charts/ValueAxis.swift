import Foundation

/// A numeric axis: a linear scale with round ticks, or a logarithmic one for quantities
/// that span decades (loss terms). Maps a value to a fraction of the axis length.
public enum ValueAxis: Equatable, Sendable {
  case linear(NiceScale)
  case log(LogScale)

  /// A linear axis over the data, widened to include `include` (0 for bar charts).
  public static func linear(covering values: [Double], include: [Double] = [], maxTicks: Int = 6) -> ValueAxis {
    let finite = (values + include).filter { $0.isFinite }
    return .linear(NiceScale(minimum: finite.min() ?? 0, maximum: finite.max() ?? 1, maxTicks: maxTicks))
  }

  /// A log axis when every value is positive and they span more than two decades,
  /// otherwise a linear one.
  public static func automatic(covering values: [Double], maxTicks: Int = 6) -> ValueAxis {
    let finite = values.filter { $0.isFinite }
    if let lo = finite.min(), let hi = finite.max(), lo > 0, hi / lo > 100 {
      return .log(LogScale(minimum: lo, maximum: hi))
    }
    return linear(covering: finite, maxTicks: maxTicks)
  }

  public var lower: Double {
    switch self {
    case let .linear(s): return s.lower
    case let .log(s): return s.lower
    }
  }

  public var upper: Double {
    switch self {
    case let .linear(s): return s.upper
    case let .log(s): return s.upper
    }
  }

  public var ticks: [Double] {
    switch self {
    case let .linear(s): return s.ticks
    case let .log(s): return s.ticks
    }
  }

  public var isLogarithmic: Bool { if case .log = self { return true }; return false }

  public func label(_ v: Double) -> String {
    switch self {
    case let .linear(s): return s.label(v)
    case let .log(s): return s.label(v)
    }
  }

  /// Position of `v` along the axis, 0 at `lower` and 1 at `upper` (NaN for values a log
  /// axis cannot show).
  public func fraction(_ v: Double) -> Double {
    switch self {
    case let .linear(s):
      return (v - s.lower) / (s.upper - s.lower)
    case let .log(s):
      guard v > 0 else { return .nan }
      return (log10(v) - log10(s.lower)) / (log10(s.upper) - log10(s.lower))
    }
  }
}
