/// A 3×5-pixel bitmap font for the tick labels of colour bars: digits, '.', '-', '+', 'e'
/// (everything `%g` prints for a finite number), so heat maps need no font library.
enum BitmapFont {
  static let glyphWidth = 3, glyphHeight = 5

  /// Rows top to bottom, three bits each (4 = left pixel, 1 = right pixel).
  private static let glyphs: [Character: [UInt8]] = [
    "0": [7, 5, 5, 5, 7], "1": [2, 6, 2, 2, 7], "2": [7, 1, 7, 4, 7], "3": [7, 1, 7, 1, 7],
    "4": [5, 5, 7, 1, 1], "5": [7, 4, 7, 1, 7], "6": [7, 4, 7, 5, 7], "7": [7, 1, 1, 1, 1],
    "8": [7, 5, 7, 5, 7], "9": [7, 5, 7, 1, 7], ".": [0, 0, 0, 0, 2], "-": [0, 0, 7, 0, 0],
    "+": [0, 2, 7, 2, 0], "e": [2, 5, 7, 4, 3],
  ]

  /// Width in pixels of `text` at `scale` (one blank glyph column between characters).
  static func width(of text: String, scale: Int) -> Int {
    text.isEmpty ? 0 : (text.count * (glyphWidth + 1) - 1) * scale
  }

  /// Draws `text` into an RGB8 canvas with its top-left corner at (x, y); characters the
  /// font lacks are left blank, pixels outside the canvas are skipped.
  static func draw(_ text: String, x: Int, y: Int, scale: Int, color: (UInt8, UInt8, UInt8),
                   into pixels: inout [UInt8], width: Int, height: Int) {
    var originX = x
    for ch in text {
      if let rows = glyphs[ch] {
        for (row, bits) in rows.enumerated() {
          for col in 0..<glyphWidth where bits & (4 >> UInt8(col)) != 0 {
            for dy in 0..<scale {
              for dx in 0..<scale {
                let px = originX + col * scale + dx, py = y + row * scale + dy
                guard px >= 0, px < width, py >= 0, py < height else { continue }
                let i = 3 * (py * width + px)
                pixels[i] = color.0
                pixels[i + 1] = color.1
                pixels[i + 2] = color.2
              }
            }
          }
        }
      }
      originX += (glyphWidth + 1) * scale
    }
  }
}
