/// The point markers a chart uses to tell points apart by more than colour: a dot for an
/// ordinary point, a cross for a doubtful one (e.g. a λ whose mask did not converge), a ring
/// drawn around a point that was chosen. Charts and their legends draw them alike.
public enum MarkerGlyph: Equatable, Sendable {
  case dot, cross, ring

  /// Draws the glyph centred at (cx, cy); `className` marks it for styling and tests.
  public func draw(into canvas: inout SVGCanvas, cx: Double, cy: Double, color: String, className: String? = nil) {
    switch self {
    case .dot:
      canvas.circle(cx: cx, cy: cy, r: 2.8, fill: color, stroke: color, className: className)
    case .cross:
      // White underneath, so a cross on a line still reads as a cross.
      canvas.circle(cx: cx, cy: cy, r: 4.5, fill: "#ffffff")
      canvas.line(x1: cx - 3.5, y1: cy - 3.5, x2: cx + 3.5, y2: cy + 3.5, stroke: color, width: 2, className: className)
      canvas.line(x1: cx - 3.5, y1: cy + 3.5, x2: cx + 3.5, y2: cy - 3.5, stroke: color, width: 2)
    case .ring:
      canvas.circle(cx: cx, cy: cy, r: 7, fill: "none", stroke: color, strokeWidth: 1.75, className: className)
    }
  }
}
