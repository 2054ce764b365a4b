import Foundation
import FourierLens

/// A 2-D map over the frequency plane (a mask, a mask difference, a Fourier heat map) as
/// an SVG figure: the values as crisp pixels (an embedded PNG), frequency axes with ticks
/// in their units, and a colour bar with round ticks and a title.
public struct FrequencyMapChart {
  /// How rows and columns of the map correspond to frequencies.
  public enum Axes: Sendable {
    /// A centred DFT plane: column c ↦ f_x = c − ⌊W/2⌋, row r ↦ f_y = ⌊H/2⌋ − r (up is positive).
    case centredDFT
    /// A DCT plane as stored: DC in the top-left corner, k_x to the right, k_y downwards.
    case dct
  }

  /// Values in display order (row-major H×W, row 0 at the top).
  public var values: [Float]
  public var rows: Int
  public var columns: Int
  public var axes: Axes
  public var colormap: Colormap
  /// The values mapped to the two ends of the colour map (values outside are clamped).
  public var range: ClosedRange<Float>
  public var colorBarTitle: String
  public var title: String?
  public var titleColor: String?
  /// The longer side of the map in pixels.
  public var mapSize: Double = 232

  public init(values: [Float], rows: Int, columns: Int, axes: Axes, colormap: Colormap, range: ClosedRange<Float>,
              colorBarTitle: String, title: String? = nil, titleColor: String? = nil) {
    self.values = values
    self.rows = rows
    self.columns = columns
    self.axes = axes
    self.colormap = colormap
    self.range = range
    self.colorBarTitle = colorBarTitle
    self.title = title
    self.titleColor = titleColor
  }

  /// The map as 8-bit RGB, each value enlarged to an s×s block (nearest neighbour) so
  /// that viewers that smooth images keep sharp cells.
  func raster(scale s: Int) throws -> Data {
    let table = colormap.table()
    let lo = range.lowerBound, span = range.upperBound - range.lowerBound
    let w = columns * s, h = rows * s
    var pixels = [UInt8](repeating: 0, count: 3 * w * h)
    values.withUnsafeBufferPointer { v in
      pixels.withUnsafeMutableBufferPointer { out in
        for y in 0..<h {
          let rowBase = (y / s) * columns
          for x in 0..<w {
            let value = v[rowBase + x / s]
            let t = span > 0 ? (value - lo) / span : 0.5
            let c = table[Int(min(255, max(0, (t * 255).rounded())))]
            let i = 3 * (y * w + x)
            out[i] = c.0; out[i + 1] = c.1; out[i + 2] = c.2
          }
        }
      }
    }
    return try PNGCodec.encode(pixels: pixels, width: w, height: h, channels: 3)
  }

  /// Integer-valued ticks within [lo, hi].
  static func integerTicks(_ lo: Double, _ hi: Double) -> [Double] {
    let scale = NiceScale(minimum: lo, maximum: hi, maxTicks: 5)
    return scale.ticks.filter { $0 >= lo - 1e-9 && $0 <= hi + 1e-9 && $0 == $0.rounded() }
  }

  public func render() throws -> SVGFigure {
    guard rows > 0, columns > 0, values.count == rows * columns else {
      throw FourierLensError.shapeMismatch("frequency map of \(values.count) values as \(rows)×\(columns)")
    }
    guard values.allSatisfy({ $0.isFinite }) else { throw FourierLensError.nonFinite("frequency map values") }
    let cell = mapSize / Double(max(rows, columns))
    let mapW = cell * Double(columns), mapH = cell * Double(rows)
    let fs = ChartStyle.tickFontSize, ts = ChartStyle.labelFontSize
    let scaleTicks = NiceScale(minimum: Double(range.lowerBound), maximum: Double(range.upperBound), maxTicks: 6)
    let barTicks = scaleTicks.ticks.filter { $0 >= Double(range.lowerBound) - 1e-9 && $0 <= Double(range.upperBound) + 1e-9 }
    let barLabelWidth = barTicks.map { ChartStyle.textWidth(scaleTicks.label($0), size: fs) }.max() ?? 0

    let (xLo, xHi, yTop, yBottom): (Double, Double, Double, Double)
    let xTitle: String, yTitle: String
    switch axes {
    case .centredDFT:
      (xLo, xHi) = (Double(-(columns / 2)), Double(columns - 1 - columns / 2))
      (yTop, yBottom) = (Double(rows / 2), Double(rows / 2 - (rows - 1)))
      xTitle = "horizontal frequency (cycles/image)"
      yTitle = "vertical frequency (cycles/image)"
    case .dct:
      (xLo, xHi) = (0, Double(columns - 1))
      (yTop, yBottom) = (0, Double(rows - 1))
      xTitle = "horizontal DCT index"
      yTitle = "vertical DCT index"
    }
    let xTicks = Self.integerTicks(xLo, xHi)
    let yTicks = Self.integerTicks(min(yTop, yBottom), max(yTop, yBottom))
    let yLabelWidth = yTicks.map { ChartStyle.textWidth(NiceScale.typographic(String(Int($0))), size: fs) }.max() ?? 0

    let titleHeight = title == nil ? 0.0 : 24
    let left = 10 + ts + 8 + yLabelWidth + 6
    let top = 10 + titleHeight
    let barX = left + mapW + 14, barWidth = 13.0
    // Whole pixels, so the size an <img> is given equals the document's own.
    let width = (barX + barWidth + 6 + barLabelWidth + 8 + ts + 10).rounded(.up)
    let height = (top + mapH + 6 + fs + 8 + ts + 12).rounded(.up)
    var canvas = SVGCanvas(width: width, height: height)

    if let title {
      if let titleColor { canvas.rect(x: left, y: 10, width: 12, height: 12, fill: titleColor) }
      canvas.text(title, x: left + (titleColor == nil ? 0 : 18), y: 16, size: ts + 0.5, weight: "bold", baseline: "central")
    }
    let s = max(1, Int((mapSize / Double(max(rows, columns))).rounded(.up)))
    canvas.image(png: try raster(scale: s), x: left, y: top, width: mapW, height: mapH)
    canvas.rect(x: left, y: top, width: mapW, height: mapH, fill: "none", stroke: ChartStyle.axisColor, strokeWidth: 1)

    // Ticks at the centres of the cells of those frequencies.
    for t in xTicks {
      let x = left + (t - xLo + 0.5) * cell
      canvas.line(x1: x, y1: top + mapH, x2: x, y2: top + mapH + 4, stroke: ChartStyle.axisColor)
      canvas.text(NiceScale.typographic(String(Int(t))), x: x, y: top + mapH + 6 + fs * 0.8, anchor: .middle, size: fs)
    }
    for t in yTicks {
      let row = axes == .dct ? t : yTop - t
      let y = top + (row + 0.5) * cell
      canvas.line(x1: left - 4, y1: y, x2: left, y2: y, stroke: ChartStyle.axisColor)
      canvas.text(NiceScale.typographic(String(Int(t))), x: left - 6, y: y, anchor: .end, size: fs, baseline: "central")
    }
    canvas.text(xTitle, x: left + mapW / 2, y: height - 12, anchor: .middle, size: ts)
    canvas.text(yTitle, x: 10 + ts / 2 + 2, y: top + mapH / 2, anchor: .middle, size: ts, baseline: "central", rotation: -90)

    // Colour bar.
    let stops = (0...32).map { i -> (offset: Double, color: String) in
      (Double(i) / 32, ChartStyle.hex(colormap, Float(i) / 32))
    }
    canvas.verticalGradient(id: "bar", stops: stops)
    canvas.rect(x: barX, y: top, width: barWidth, height: mapH, fill: "url(#bar)", stroke: ChartStyle.axisColor, strokeWidth: 0.8)
    let lo = Double(range.lowerBound), span = Double(range.upperBound - range.lowerBound)
    for t in barTicks {
      let y = top + mapH - (span > 0 ? (t - lo) / span : 0.5) * mapH
      canvas.line(x1: barX + barWidth, y1: y, x2: barX + barWidth + 4, y2: y, stroke: ChartStyle.axisColor)
      canvas.text(scaleTicks.label(t), x: barX + barWidth + 6, y: y, size: fs, baseline: "central")
    }
    canvas.text(colorBarTitle, x: width - 10 - ts / 2, y: top + mapH / 2, anchor: .middle, size: ts, baseline: "central",
                rotation: 90)
    return SVGFigure(text: canvas.document(title: title), width: width, height: height)
  }
}

extension FrequencyMapChart.Axes: Equatable {}
