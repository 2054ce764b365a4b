/// A legend laid out in rows above the plot: colour swatches for models (bars) or line
/// samples (solid, dashed) for the styles of line charts.
public struct ChartLegend {
  public enum Mark: Equatable, Sendable {
    case swatch
    case line(SVGCanvas.Dash, marker: Bool)
    case glyph(MarkerGlyph)
  }

  public struct Entry: Equatable, Sendable {
    public var label: String
    public var color: String
    public var mark: Mark
    /// Start a new row with this entry (to keep models and line styles on separate rows).
    public var startsRow: Bool
    public init(label: String, color: String, mark: Mark, startsRow: Bool = false) {
      self.label = label
      self.color = color
      self.mark = mark
      self.startsRow = startsRow
    }
  }

  public var entries: [Entry]
  static let rowHeight = 18.0, gap = 6.0, spacing = 16.0

  /// Width of a mark: a 12 px square, a 22 px line sample, or a 14 px marker glyph.
  static func markWidth(_ mark: Mark) -> Double {
    switch mark {
    case .swatch: return 12
    case .line: return 22
    case .glyph: return 14
    }
  }

  public init(entries: [Entry]) { self.entries = entries }

  /// Widths of the entries, mark and label together.
  private func entryWidths() -> [Double] {
    entries.map { Self.markWidth($0.mark) + Self.gap + ChartStyle.textWidth($0.label, size: ChartStyle.labelFontSize - 1) }
  }

  /// Entries of each row for a legend `width` wide.
  private func rows(width: Double) -> [[Int]] {
    var rows: [[Int]] = []
    var current: [Int] = [], used = 0.0
    for (i, w) in entryWidths().enumerated() {
      if !current.isEmpty && (entries[i].startsRow || used + Self.spacing + w > width) {
        rows.append(current)
        (current, used) = ([], 0)
      }
      used += (current.isEmpty ? 0 : Self.spacing) + w
      current.append(i)
    }
    if !current.isEmpty { rows.append(current) }
    return rows
  }

  /// Height the legend needs at `width` (0 without entries).
  public func height(width: Double) -> Double {
    entries.isEmpty ? 0 : Double(rows(width: width).count) * Self.rowHeight + 4
  }

  /// Draws the legend with its top-left corner at (x, y), rows left-aligned.
  public func draw(into canvas: inout SVGCanvas, x: Double, y: Double, width: Double) {
    let widths = entryWidths()
    for (r, row) in rows(width: width).enumerated() {
      var cx = x
      let cy = y + Double(r) * Self.rowHeight + Self.rowHeight / 2
      for i in row {
        let e = entries[i]
        switch e.mark {
        case .swatch:
          canvas.rect(x: cx, y: cy - 6, width: 12, height: 12, fill: e.color)
        case let .line(dash, marker):
          canvas.line(x1: cx, y1: cy, x2: cx + 22, y2: cy, stroke: e.color, width: 2, dash: dash)
          if marker { canvas.circle(cx: cx + 11, cy: cy, r: 3, fill: e.color) }
        case let .glyph(glyph):
          glyph.draw(into: &canvas, cx: cx + 7, cy: cy, color: e.color)
        }
        canvas.text(e.label, x: cx + Self.markWidth(e.mark) + Self.gap, y: cy, size: ChartStyle.labelFontSize - 1, baseline: "central")
        cx += widths[i] + Self.spacing
      }
    }
  }
}
