import FourierLens

/// The look shared by every chart, so the figures of one report read as one set.
public enum ChartStyle {
  /// Fonts that exist offline on common systems; no web fonts.
  public static let fontFamily = "DejaVu Sans, Helvetica, Arial, sans-serif"
  public static let textColor = "#222222"
  public static let axisColor = "#444444"
  public static let gridColor = "#e3e3e3"
  public static let tickFontSize = 11.0
  public static let labelFontSize = 12.5

  /// Tableau 10: distinct, colour-blind-aware hues. Model i of a report always gets
  /// entry i mod 10, in every figure.
  public static let palette = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
  ]

  public static func color(forIndex i: Int) -> String { palette[((i % palette.count) + palette.count) % palette.count] }

  /// Approximate rendered width of `text` (an average glyph of 0.6 em for DejaVu Sans),
  /// for laying out legends and margins without a font engine.
  public static func textWidth(_ text: String, size: Double) -> Double {
    Double(text.count) * size * 0.6
  }

  /// "#rrggbb" of a colour map at t ∈ [0, 1].
  public static func hex(_ colormap: Colormap, _ t: Float) -> String {
    let c = colormap.rgb8(t)
    return "#" + [c.0, c.1, c.2].map { b in
      let s = String(b, radix: 16)
      return s.count == 1 ? "0" + s : s
    }.joined()
  }
}
