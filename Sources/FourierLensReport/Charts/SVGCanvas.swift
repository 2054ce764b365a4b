import Foundation

/// A standalone SVG document built shape by shape. Every text and attribute value is
/// escaped, coordinates are written with two decimals, and the document carries explicit
/// `width`/`height` so an `<img>` knows its size before loading it (and a browser reports
/// a broken file as an image of width 0).
public struct SVGCanvas {
  public let width: Double
  public let height: Double
  private var defs: [String] = []
  private var body: [String] = []

  public init(width: Double, height: Double) {
    self.width = width
    self.height = height
  }

  /// A coordinate or length, "12.5" rather than "12.500000".
  static func number(_ v: Double) -> String {
    guard v.isFinite else { return "0" }
    let rounded = (v * 100).rounded() / 100
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    var text = String(format: "%.2f", rounded)
    while text.hasSuffix("0") { text.removeLast() }
    return text
  }

  /// ` name="value"` pairs for the non-nil values, escaped.
  private static func attributes(_ pairs: [(String, String?)]) -> String {
    pairs.compactMap { name, value in value.map { " \(name)=\"\(Markup.escape($0))\"" } }.joined()
  }

  public enum Dash: Equatable, Sendable {
    case solid, dashed, dotted
    var pattern: String? {
      switch self {
      case .solid: return nil
      case .dashed: return "6 4"
      case .dotted: return "1.5 3"
      }
    }
  }

  /// `className` marks data shapes ("bar", "error-bar", "series") for styling and tests.
  public mutating func rect(x: Double, y: Double, width: Double, height: Double, fill: String,
                            stroke: String? = nil, strokeWidth: Double = 1, opacity: Double? = nil, className: String? = nil) {
    body.append("<rect" + Self.attributes([("class", className),
      ("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(max(0, width))),
      ("height", Self.number(max(0, height))), ("fill", fill), ("stroke", stroke),
      ("stroke-width", stroke == nil ? nil : Self.number(strokeWidth)), ("fill-opacity", opacity.map(Self.number)),
    ]) + "/>")
  }

  public mutating func line(x1: Double, y1: Double, x2: Double, y2: Double, stroke: String, width: Double = 1,
                            dash: Dash = .solid, className: String? = nil) {
    body.append("<line" + Self.attributes([("class", className),
      ("x1", Self.number(x1)), ("y1", Self.number(y1)), ("x2", Self.number(x2)), ("y2", Self.number(y2)),
      ("stroke", stroke), ("stroke-width", Self.number(width)), ("stroke-dasharray", dash.pattern),
    ]) + "/>")
  }

  /// An open polyline through the points (non-finite points are dropped).
  public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 1.75, dash: Dash = .solid,
                                className: String? = nil) {
    let finite = points.filter { $0.0.isFinite && $0.1.isFinite }
    guard finite.count >= 2 else { return }
    let list = finite.map { "\(Self.number($0.0)),\(Self.number($0.1))" }.joined(separator: " ")
    body.append("<polyline" + Self.attributes([("class", className),
      ("points", list), ("fill", "none"), ("stroke", stroke), ("stroke-width", Self.number(width)),
      ("stroke-linejoin", "round"), ("stroke-linecap", "round"), ("stroke-dasharray", dash.pattern),
    ]) + "/>")
  }

  public mutating func circle(cx: Double, cy: Double, r: Double, fill: String, stroke: String? = nil,
                              className: String? = nil) {
    body.append("<circle" + Self.attributes([
      ("cx", Self.number(cx)), ("cy", Self.number(cy)), ("r", Self.number(r)), ("fill", fill), ("stroke", stroke),
      ("class", className),
    ]) + "/>")
  }

  public enum Anchor: String, Sendable { case start, middle, end }

  /// Text whose anchor point is (x, y); `baseline` "middle" centres it vertically.
  /// `rotation` (degrees) turns it about the anchor point (−90 for a y-axis title).
  public mutating func text(_ text: String, x: Double, y: Double, anchor: Anchor = .start, size: Double = 12,
                            weight: String? = nil, fill: String = ChartStyle.textColor, baseline: String? = nil,
                            rotation: Double? = nil, italic: Bool = false) {
    body.append("<text" + Self.attributes([
      ("x", Self.number(x)), ("y", Self.number(y)), ("text-anchor", anchor == .start ? nil : anchor.rawValue),
      ("font-size", Self.number(size)), ("font-weight", weight), ("fill", fill), ("dominant-baseline", baseline),
      ("font-style", italic ? "italic" : nil),
      ("transform", rotation.map { "rotate(\(Self.number($0)) \(Self.number(x)) \(Self.number(y)))" }),
    ]) + ">" + Markup.escape(text) + "</text>")
  }

  /// A raster image embedded as a PNG data URI (so the SVG stays one self-contained
  /// file), drawn with crisp pixels.
  public mutating func image(png: Data, x: Double, y: Double, width: Double, height: Double) {
    body.append("<image" + Self.attributes([
      ("x", Self.number(x)), ("y", Self.number(y)), ("width", Self.number(width)), ("height", Self.number(height)),
      ("preserveAspectRatio", "none"), ("style", "image-rendering:pixelated;image-rendering:crisp-edges"),
      ("href", "data:image/png;base64," + png.base64EncodedString()),
    ]) + "/>")
  }

  /// A vertical linear gradient (bottom = first stop) usable as `fill="url(#id)"`.
  public mutating func verticalGradient(id: String, stops: [(offset: Double, color: String)]) {
    let s = stops.map { "<stop offset=\"\(Self.number($0.offset * 100))%\" stop-color=\"\(Markup.escape($0.color))\"/>" }
    defs.append("<linearGradient id=\"\(Markup.escape(id))\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">" + s.joined() + "</linearGradient>")
  }

  /// The complete document.
  public func document(title: String? = nil) -> String {
    var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    out += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Self.number(width))\" height=\"\(Self.number(height))\""
    out += " viewBox=\"0 0 \(Self.number(width)) \(Self.number(height))\""
    out += " font-family=\"\(ChartStyle.fontFamily)\">\n"
    if let title { out += "<title>\(Markup.escape(title))</title>\n" }
    if !defs.isEmpty { out += "<defs>" + defs.joined() + "</defs>\n" }
    out += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    out += body.joined(separator: "\n")
    out += "\n</svg>\n"
    return out
  }
}

/// A finished SVG document with its size in pixels (for the `<img>` that shows it).
public struct SVGFigure: Sendable {
  public var text: String
  public var width: Double
  public var height: Double
}
