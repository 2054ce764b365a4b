import Foundation

/// How numbers appear on the page and in the data files.
enum NumberFormat {
  /// A fraction as a percentage with one decimal ("91.3"); "–" for missing values.
  static func percent(_ v: Double?) -> String {
    guard let v, v.isFinite else { return "–" }
    return NiceScale.typographic(String(format: "%.1f", v * 100))
  }

  static func fixed(_ v: Double?, _ digits: Int) -> String {
    guard let v, v.isFinite else { return "–" }
    var text = String(format: "%.\(digits)f", v)
    if Double(text) == 0 { text = String(format: "%.\(digits)f", 0.0) }
    return NiceScale.typographic(text)
  }

  /// With an explicit sign ("+0.123", "−0.050").
  static func signed(_ v: Double?, _ digits: Int) -> String {
    guard let v, v.isFinite else { return "–" }
    let text = fixed(v, digits)
    return text.hasPrefix("\u{2212}") || Double(String(format: "%.\(digits)f", v)) == 0 ? text : "+" + text
  }

  /// The exact stored value for data attributes and CSV cells: the shortest text that
  /// reads back as the same number (Float values stay Float, so "0.91" stays "0.91").
  static func exact<T: BinaryFloatingPoint & LosslessStringConvertible>(_ v: T) -> String {
    v.isFinite ? "\(v)" : ""
  }
}
