import Foundation

/// An 8-bit RGB image, row-major, three bytes per pixel.
public struct RGBImage: Equatable, Sendable {
  public let width: Int
  public let height: Int
  public var pixels: [UInt8]

  public init(width: Int, height: Int, pixels: [UInt8]) {
    precondition(pixels.count == 3 * width * height)
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  public func pixel(x: Int, y: Int) -> (UInt8, UInt8, UInt8) {
    let i = 3 * (y * width + x)
    return (pixels[i], pixels[i + 1], pixels[i + 2])
  }
}

/// Renders a 2-D array as a colour heat map with a colour bar, for masks and spectra.
///
/// Small arrays are enlarged by an integer nearest-neighbour factor so each value stays a
/// crisp square (a 32×32 mask becomes 256×256). The colour bar to the right is labelled
/// with its minimum, middle and maximum values in a built-in bitmap font.
public struct Heatmap: Sendable {
  /// Which values map to the two ends of the colour map.
  public enum Range: Equatable, Sendable {
    /// The data's minimum and maximum.
    case automatic
    /// ±max|v|, so zero sits in the middle (for diverging maps).
    case symmetric
    case fixed(Float, Float)
  }

  public var colormap: Colormap
  public var range: Range
  /// fftshift the array first (DFT spectra and masks are stored unshifted).
  public var centre: Bool
  /// The map is enlarged until its longer side reaches at least this many pixels.
  public var minimumSize: Int
  public var colorBar: Bool

  /// Layout in pixels: blank margin around the map, colour-bar width, gap before the labels, font scale.
  public static let margin = 8, barWidth = 16, labelGap = 4, fontScale = 2

  public init(colormap: Colormap = .turbo, range: Range? = nil, centre: Bool = false,
              minimumSize: Int = 256, colorBar: Bool = true) {
    self.colormap = colormap
    self.range = range ?? (colormap.isDiverging ? .symmetric : .automatic)
    self.centre = centre
    self.minimumSize = minimumSize
    self.colorBar = colorBar
  }

  /// Integer upscaling factor for an H×W array.
  public func scale(height: Int, width: Int) -> Int {
    max(1, (minimumSize + max(height, width) - 1) / max(height, width))
  }

  /// The value range the colours span; a constant array gets a unit-wide range around its value.
  public func valueRange(_ values: [Float]) -> (low: Float, high: Float) {
    var lo: Float, hi: Float
    switch range {
    case let .fixed(a, b): (lo, hi) = (a, b)
    case .automatic: (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
    case .symmetric:
      let m = values.map { abs($0) }.max() ?? 1
      (lo, hi) = (-m, m)
    }
    if !(hi > lo) { (lo, hi) = (lo - 0.5, lo + 0.5) }
    return (lo, hi)
  }

  public func render(_ values: [Float], height: Int, width: Int) throws -> RGBImage {
    guard height > 0, width > 0, values.count == height * width else {
      throw FourierLensError.shapeMismatch("heat map of \(values.count) values as \(height)×\(width)")
    }
    guard values.allSatisfy({ $0.isFinite }) else { throw FourierLensError.nonFinite("heat map values") }
    if case let .fixed(a, b) = range, !(a.isFinite && b.isFinite && b > a) {
      throw FourierLensError.badOption(name: "range", reason: "needs finite low < high, got \(a)…\(b)")
    }
    let shown = centre ? SpectrumShift.fftshift(values, height: height, width: width) : values
    let (lo, hi) = valueRange(shown)
    let table = colormap.table()
    func level(_ v: Float) -> Int { Int(min(255, max(0, ((v - lo) / (hi - lo) * 255).rounded()))) }

    let s = scale(height: height, width: width)
    let mapW = width * s, mapH = height * s
    let m = Self.margin
    let labels = colorBar ? tickLabels(lo, hi) : []
    let labelWidth = labels.map { BitmapFont.width(of: $0, scale: Self.fontScale) }.max() ?? 0
    let canvasW = colorBar ? m + mapW + m + Self.barWidth + Self.labelGap + labelWidth + m : m + mapW + m
    let canvasH = m + mapH + m
    var pixels = [UInt8](repeating: 255, count: 3 * canvasW * canvasH)

    for y in 0..<mapH {
      let row = (y / s) * width
      for x in 0..<mapW {
        let c = table[level(shown[row + x / s])]
        let i = 3 * ((m + y) * canvasW + m + x)
        pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
      }
    }
    if colorBar {
      let barX = m + mapW + m
      for y in 0..<mapH {
        // Top is the maximum.
        let c = table[mapH > 1 ? (255 * (mapH - 1 - y) + (mapH - 1) / 2) / (mapH - 1) : 255]
        for x in 0..<Self.barWidth {
          let i = 3 * ((m + y) * canvasW + barX + x)
          pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
        }
      }
      let glyphH = BitmapFont.glyphHeight * Self.fontScale
      let tickYs = [m, m + mapH / 2, m + mapH - 1]  // max, middle, min
      for (label, tickY) in zip(labels, tickYs) {
        let top = min(max(0, tickY - glyphH / 2), canvasH - glyphH)
        BitmapFont.draw(label, x: barX + Self.barWidth + Self.labelGap, y: top, scale: Self.fontScale,
                        color: (0, 0, 0), into: &pixels, width: canvasW, height: canvasH)
      }
    }
    return RGBImage(width: canvasW, height: canvasH, pixels: pixels)
  }

  /// Labels for the top (maximum), middle and bottom (minimum) of the colour bar.
  func tickLabels(_ lo: Float, _ hi: Float) -> [String] {
    [hi, (lo + hi) / 2, lo].map { Self.label($0) }
  }

  /// Short `%.3g` text, e.g. "0.5", "-1.2e-05", "1.5e+03".
  static func label(_ v: Float) -> String {
    String(format: "%.3g", Double(v))
  }
}

extension RGBImage {
  /// Writes the image as an 8-bit RGB PNG (atomically).
  public func writePNG(to path: String) throws {
    try PNGCodec.write(pixels: pixels, width: width, height: height, channels: 3, to: path)
  }
}

extension Heatmap {
  /// Renders `values` (H×W) and writes the heat map as a PNG.
  public func writePNG(_ values: [Float], height: Int, width: Int, to path: String) throws {
    try render(values, height: height, width: width).writePNG(to: path)
  }
}
