import Foundation

/// An axis range with tick marks at round numbers, as a reader expects on a figure:
/// steps of 1, 2, 2.5 or 5 × 10^k, the range widened outwards to whole steps.
///
/// The step is the smallest such number that covers [minimum, maximum] with at most
/// `maxTicks` ticks (the idea of Heckbert's "Nice numbers for graph labels", Graphics Gems
/// 1990, with the tick count as a hard limit rather than a target; a range across zero
/// always gets at least three, below, at and above zero). Tick values are
/// computed as integer multiples of the step, so they carry no accumulated rounding error.
public struct NiceScale: Equatable, Sendable {
  /// The axis runs from `lower` to `upper`, both multiples of `step`.
  public let lower: Double
  public let upper: Double
  public let step: Double
  public let ticks: [Double]
  /// Digits after the decimal point that print every tick exactly (0 for integer steps).
  public let decimals: Int

  /// Mantissas of the allowed steps, in increasing order.
  static let mantissas: [Double] = [1, 2, 2.5, 5]

  public init(minimum: Double, maximum: Double, maxTicks: Int = 6) {
    var lo = minimum.isFinite ? minimum : 0
    var hi = maximum.isFinite ? maximum : 1
    if lo > hi { swap(&lo, &hi) }
    if lo == hi {
      // A single value: centre it in a small range of its own magnitude.
      let delta = lo == 0 ? 1 : abs(lo) * 0.1
      (lo, hi) = (lo - delta, hi + delta)
    }
    // A range across zero needs a tick on each side of it and one at it.
    let limit = max(lo < 0 && hi > 0 ? 3 : 2, maxTicks)
    /// ⌊q⌋ and ⌈q⌉ that treat values within rounding noise of an integer as that integer.
    func snap(_ q: Double) -> Double? {
      let r = q.rounded()
      return abs(q - r) <= 1e-9 * max(1, abs(q)) ? r : nil
    }
    // Start one decade below the raw step so that every candidate is tried in order.
    var exponent = Int((log10((hi - lo) / Double(limit - 1))).rounded(.down)) - 1
    var chosen: (step: Double, mantissa: Double, exponent: Int, first: Int, last: Int)?
    while chosen == nil {
      for m in Self.mantissas {
        let s = m * pow(10, Double(exponent))
        let first = Int(snap(lo / s) ?? (lo / s).rounded(.down)), last = Int(snap(hi / s) ?? (hi / s).rounded(.up))
        if last - first + 1 <= limit {
          chosen = (s, m, exponent, first, last)
          break
        }
      }
      exponent += 1
    }
    let c = chosen!
    let digits = max(0, -c.exponent + (c.mantissa == 2.5 ? 1 : 0))
    let scale = pow(10, Double(digits))
    let clean: (Double) -> Double = { v in
      // Round away the binary noise of i·step (0.1·3 = 0.30000000000000004).
      digits <= 12 ? (v * scale).rounded() / scale : v
    }
    decimals = digits
    step = c.step
    lower = clean(Double(c.first) * c.step)
    upper = clean(Double(c.last) * c.step)
    ticks = (c.first...c.last).map { clean(Double($0) * c.step) }
  }

  /// A tick label with the scale's number of decimals; negative numbers use the
  /// typographic minus sign, and very large or small magnitudes use powers of ten.
  public func label(_ value: Double) -> String {
    let magnitude = max(abs(lower), abs(upper))
    if decimals > 6 || magnitude >= 1e7 {
      // Scientific, with as many significant digits as the step needs at this magnitude.
      let stepDigits = Int(log10(step).rounded(.down)) - (step / pow(10, log10(step).rounded(.down)) == 2.5 ? 1 : 0)
      let digits = max(1, Int(log10(magnitude).rounded(.down)) - stepDigits + 1)
      return Self.typographic(String(format: "%.\(digits - 1)e", value))
    }
    var text = String(format: "%.\(decimals)f", value)
    if Double(text) == 0 { text = String(format: "%.\(decimals)f", 0.0) }  // no "-0"
    return Self.typographic(text)
  }

  /// Replaces the ASCII hyphen of negative numbers by U+2212 MINUS SIGN.
  static func typographic(_ text: String) -> String {
    text.replacingOccurrences(of: "-", with: "\u{2212}")
  }
}

/// Ticks of a logarithmic axis: the decades covering [minimum, maximum], with the 2× and
/// 5× marks added when fewer than three decades would be labelled.
public struct LogScale: Equatable, Sendable {
  public let lower: Double
  public let upper: Double
  public let ticks: [Double]

  /// `minimum` must be > 0 (non-positive or non-finite values fall back to 1e-3 and 1).
  public init(minimum: Double, maximum: Double) {
    var lo = minimum.isFinite && minimum > 0 ? minimum : 1e-3
    var hi = maximum.isFinite && maximum > 0 ? maximum : max(1, lo * 10)
    if lo > hi { swap(&lo, &hi) }
    let a = Int(log10(lo).rounded(.down)), b = max(a + 1, Int(log10(hi).rounded(.up)))
    lower = pow(10, Double(a))
    upper = pow(10, Double(b))
    var values = (a...b).map { pow(10, Double($0)) }
    if b - a + 1 < 3 {
      values = (a..<b).flatMap { e in [1.0, 2, 5].map { $0 * pow(10, Double(e)) } } + [upper]
    }
    ticks = values
  }

  /// Plain numbers when the whole axis lies within [0.01, 10⁴] ("0.01", "200"), else
  /// powers of ten for every tick ("10⁻³", "2×10⁻³"), so one axis never mixes the two.
  public func label(_ value: Double) -> String {
    let e = Int(log10(value).rounded(.down))
    let m = (value / pow(10, Double(e))).rounded()
    if lower >= 0.01 && upper <= 1e4 {
      return NiceScale.typographic(e >= 0 ? String(format: "%.0f", value) : String(format: "%.\(-e)f", value))
    }
    let superscripts: [Character: Character] = ["0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵",
                                                "6": "⁶", "7": "⁷", "8": "⁸", "9": "⁹", "-": "⁻"]
    let power = "10" + String(String(e).map { superscripts[$0] ?? $0 })
    return m == 1 ? power : "\(Int(m))×" + power
  }
}
