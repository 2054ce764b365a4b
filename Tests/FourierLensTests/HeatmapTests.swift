import Testing
@testable import FourierLens

@Suite struct HeatmapTests {
  @Test func smallArraysAreUpscaledAndColouredByValue() throws {
    let h = 32, w = 32
    let values = (0..<(h * w)).map { Float($0) }
    let map = Heatmap(colormap: .gray, minimumSize: 256)
    let image = try map.render(values, height: h, width: w)
    #expect(map.scale(height: h, width: w) == 8)
    let m = Heatmap.margin
    #expect(image.height == m + 256 + m)
    let labelWidth = ["1.02e+03", "512", "0"].map { BitmapFont.width(of: $0, scale: Heatmap.fontScale) }.max()!
    #expect(image.width == m + 256 + m + Heatmap.barWidth + Heatmap.labelGap + labelWidth + m)
    #expect(image.pixels.count == 3 * image.width * image.height)
    // First value black, last white, each value an 8×8 block.
    #expect(image.pixel(x: m, y: m) == (0, 0, 0))
    #expect(image.pixel(x: m + 7, y: m + 7) == (0, 0, 0))
    #expect(image.pixel(x: m + 255, y: m + 255) == (255, 255, 255))
    let v = values[5 * w + 9] / values.last!
    #expect(image.pixel(x: m + 9 * 8 + 3, y: m + 5 * 8 + 3) == Colormap.gray.rgb8(v))
    // Colour bar: maximum at the top, minimum at the bottom.
    let barX = m + 256 + m + 1
    #expect(image.pixel(x: barX, y: m) == (255, 255, 255))
    #expect(image.pixel(x: barX, y: m + 255) == (0, 0, 0))
    // Tick labels are drawn in black to the right of the bar.
    let labelX = barX - 1 + Heatmap.barWidth + Heatmap.labelGap
    var black = 0
    for y in 0..<image.height { for x in labelX..<image.width where image.pixel(x: x, y: y) == (0, 0, 0) { black += 1 } }
    #expect(black > 50)
  }

  @Test func centringPutsDCInTheMiddleAndSymmetricRangeCentresZero() throws {
    let h = 5, w = 4
    var values = [Float](repeating: 0, count: h * w)
    values[0] = 1
    values[1] = -1
    let map = Heatmap(colormap: .coolwarm, centre: true, minimumSize: 20, colorBar: false)
    #expect(map.range == .symmetric)
    let image = try map.render(values, height: h, width: w)
    // ⌈20/5⌉ = 4× enlargement.
    #expect(image.width == 2 * Heatmap.margin + 16 && image.height == 2 * Heatmap.margin + 20)
    let m = Heatmap.margin, s = 4
    // DC moves to (⌊H/2⌋, ⌊W/2⌋) = (2, 2); its right neighbour (0, 1) to (2, 3).
    #expect(image.pixel(x: m + 2 * s, y: m + 2 * s) == Colormap.coolwarm.rgb8(1))
    #expect(image.pixel(x: m + 3 * s, y: m + 2 * s) == Colormap.coolwarm.rgb8(0))
    // Zero is the middle of the 256-entry table (level 127.5 rounds to 128).
    #expect(image.pixel(x: m, y: m) == Colormap.coolwarm.rgb8(128 / 255))
  }

  @Test func rangesAndLabels() throws {
    #expect(Heatmap(range: .automatic).valueRange([2, 5, 3]) == (2, 5))
    #expect(Heatmap(range: .symmetric).valueRange([-2, 5, 3]) == (-5, 5))
    #expect(Heatmap().valueRange([4, 4]) == (3.5, 4.5))
    #expect(Heatmap.label(0.5) == "0.5")
    #expect(Heatmap.label(-1.25e-5) == "-1.25e-05")
    #expect(Heatmap.label(1500) == "1.5e+03")
    #expect(throws: FourierLensError.self) { try Heatmap().render([1, 2, 3], height: 2, width: 2) }
    #expect(throws: FourierLensError.self) { try Heatmap().render([1, .nan, 3, 4], height: 2, width: 2) }
    #expect(throws: FourierLensError.self) { try Heatmap(range: .fixed(1, 1)).render([1, 2, 3, 4], height: 2, width: 2) }
  }

  @Test func fontDrawsKnownGlyphs() {
    var pixels = [UInt8](repeating: 255, count: 3 * 7 * 5)
    BitmapFont.draw("1-", x: 0, y: 0, scale: 1, color: (0, 0, 0), into: &pixels, width: 7, height: 5)
    func dark(_ x: Int, _ y: Int) -> Bool { pixels[3 * (y * 7 + x)] == 0 }
    // '1': centre column all dark, base row full; '-': middle row of the second glyph.
    #expect((0..<5).allSatisfy { dark(1, $0) })
    #expect(dark(0, 4) && dark(2, 4) && !dark(0, 2))
    #expect(dark(4, 2) && dark(5, 2) && dark(6, 2) && !dark(4, 1))
    #expect(BitmapFont.width(of: "1.5e+03", scale: 2) == (7 * 4 - 1) * 2)
  }
}
