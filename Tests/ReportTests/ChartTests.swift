import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

@Suite struct ChartTests {
  static func svg(_ figure: SVGFigure) throws -> XMLNode {
    let root = try XMLNode.parse(Data(figure.text.utf8), name: "chart")
    #expect(root.name == "svg")
    #expect(Double(root.attributes["width"] ?? "") == figure.width)
    #expect(Double(root.attributes["height"] ?? "") == figure.height)
    return root
  }

  static func number(_ node: XMLNode, _ key: String) -> Double { Double(node.attributes[key] ?? "") ?? .nan }

  @Test func barHeightsAreProportionalToValuesFromZero() throws {
    let chart = BarChart(categories: ["a", "b"], series: [
      .init(name: "one", color: "#111111", values: [1, 3], intervals: [0.5...1.5, nil]),
      .init(name: "two", color: "#222222", values: [2, -1]),
    ], xTitle: "x", yTitle: "y")
    let root = try Self.svg(chart.render())
    let bars = root.all(named: "rect").filter { $0.attributes["class"] == "bar" }
    #expect(bars.count == 4)
    let one = bars.filter { $0.attributes["fill"] == "#111111" }, two = bars.filter { $0.attributes["fill"] == "#222222" }
    let h = { (n: XMLNode) in Self.number(n, "height") }
    // Coordinates are written with two decimals.
    #expect(abs(h(one[1]) / h(one[0]) - 3) < 0.02)
    #expect(abs(h(two[0]) / h(one[0]) - 2) < 0.02)
    #expect(abs(h(two[1]) / h(one[0]) - 1) < 0.02)
    // Positive bars end at the zero line from above, the negative one starts there.
    let zero = Self.number(one[0], "y") + h(one[0])
    #expect(abs(Self.number(one[1], "y") + h(one[1]) - zero) < 0.02)
    #expect(abs(Self.number(two[1], "y") - zero) < 0.02)
    // One interval → one error bar of three lines (whisker and two caps), spanning 0.5…1.5 = h(one[0]).
    let whiskers = root.all(named: "line").filter { $0.attributes["class"] == "error-bar" }
    #expect(whiskers.count == 3)
    let span = abs(Self.number(whiskers[0], "y2") - Self.number(whiskers[0], "y1"))
    #expect(abs(span - h(one[0])) < 0.03)
    // The legend names both series; the axis titles are there.
    let texts = root.all(named: "text").map(\.textContent)
    #expect(texts.contains("one") && texts.contains("two") && texts.contains("x") && texts.contains("y"))
  }

  @Test func textIsEscapedAndSurvivesParsing() throws {
    let name = "a<b & \"c\" 'd'"
    let chart = BarChart(categories: ["<cat>"], series: [.init(name: name, color: "#123456", values: [1])],
                         xTitle: "x & y", yTitle: "</svg>")
    let root = try Self.svg(chart.render(title: "t<itle"))
    let texts = root.all(named: "text").map(\.textContent)
    #expect(texts.contains(name) && texts.contains("<cat>") && texts.contains("x & y") && texts.contains("</svg>"))
    #expect(root.all(named: "title").first?.textContent == "t<itle")
    #expect(Markup.escape("a\u{1}b") == "a\u{FFFD}b")
  }

  @Test func frequencyMapEmbedsTheColoursOfItsValues() throws {
    let values: [Float] = [0, 0.2, 0.4, 0.6, 0.8, 1]
    let chart = FrequencyMapChart(values: values, rows: 2, columns: 3, axes: .centredDFT, colormap: .turbo, range: 0...1,
                                  colorBarTitle: "mask value")
    let root = try Self.svg(try chart.render())
    let image = try #require(root.all(named: "image").first)
    let href = try #require(image.attributes["href"])
    let prefix = "data:image/png;base64,"
    #expect(href.hasPrefix(prefix))
    let png = try #require(Data(base64Encoded: String(href.dropFirst(prefix.count))))
    let t = try PNGCodec.decode(png, path: "embedded")
    let s = Int((232.0 / 3).rounded(.up))
    #expect(t.shape == [3, 2 * s, 3 * s])
    let (h, w) = (t.shape[1], t.shape[2])
    for r in 0..<2 {
      for c in 0..<3 {
        let y = r * s + s / 2, x = c * s + s / 2
        let want = Colormap.turbo.rgb8(values[r * 3 + c])
        let got = (0..<3).map { UInt8((t.data[$0 * h * w + y * w + x] * 255).rounded()) }
        #expect(got == [want.0, want.1, want.2], "cell \(r),\(c)")
      }
    }
    // Frequencies −1…1 horizontally and 1…0 vertically (up positive), and colour-bar ticks 0…1.
    let texts = root.all(named: "text").map(\.textContent)
    for label in ["\u{2212}1", "0", "1", "0.0", "0.2", "1.0", "mask value", "horizontal frequency (cycles/image)"] {
      #expect(texts.contains(label), "missing \(label) in \(texts)")
    }
    #expect(throws: FourierLensError.self) {
      _ = try FrequencyMapChart(values: [.nan, 0], rows: 1, columns: 2, axes: .dct, colormap: .gray, range: 0...1,
                                colorBarTitle: "").render()
    }
  }

  @Test func lineChartDrawsOneLinePerSeriesAndExplainsStyles() throws {
    var chart = LineChart(series: [
      .init(name: "m1", color: "#aa0000", style: "low-pass", dash: .solid, points: [(0, 1), (1, 2), (2, 3)]),
      .init(name: "m1", color: "#aa0000", style: "high-pass", dash: .dashed, points: [(0, 3), (1, 2), (2, 1)]),
      .init(name: "m2", color: "#00aa00", style: "low-pass", dash: .solid, points: [(0, 0.001), (1, 0.1), (2, 0.5)]),
    ], x: .categories(["s1", "s2", "s3"]), xTitle: "severity", yTitle: "accuracy")
    chart.yScale = .automatic
    let root = try Self.svg(chart.render())
    let lines = root.all(named: "polyline").filter { $0.attributes["class"] == "series" }
    #expect(lines.count == 3)
    #expect(lines[1].attributes["stroke-dasharray"] != nil && lines[0].attributes["stroke-dasharray"] == nil)
    // x positions rise along each line, y falls as values rise.
    let points = (lines[0].attributes["points"] ?? "").split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
    #expect(points.count == 3 && points[0][0] < points[1][0] && points[0][1] > points[1][1])
    let texts = root.all(named: "text").map(\.textContent)
    // Two models and two line styles in the legend; a logarithmic axis (values span 3.5 decades).
    for label in ["m1", "m2", "low-pass", "high-pass", "s1", "s3", "10\u{207B}\u{00B3}"] {
      #expect(texts.contains(label), "missing \(label) in \(texts)")
    }
  }

  @Test func maskPlaneCentresDFTAndAveragesPlanes() throws {
    // Two class masks of shape 2×4×4 (C×H×W): planes average, DC moves to the centre.
    var values = [Float](repeating: 0, count: 2 * 2 * 16)
    values[0] = 4  // mask 0, channel 0, DC
    values[16 + 1] = 8  // mask 0, channel 1, f_x = 1
    var config = MaskLearningConfig()
    config.layout = .perChannel
    let result = MaskLearningResult(config: config, parameterization: "free", maskShape: [2, 4, 4], maskCount: 2, masks: values,
                                    theta: values, imageCount: 1, cleanAccuracy: 1, maskedAccuracy: 1, complementaryAccuracy: 0,
                                    sparsity: 0, epochsRun: 1, masksMeetingTarget: 2, history: [])
    let mask = LearnedMask(allValues: values, summary: MaskSummary(result: result, param: "free", model: "m", data: "d"),
                           directory: "")
    let plane = MaskPlane(mask)
    #expect(plane.rows == 4 && plane.columns == 4 && plane.channels == 2 && plane.masks == 2)
    // Mean over 4 planes: DC 4/4 = 1 at [2, 2]; f_x = 1 → 8/4 = 2 at [2, 3].
    #expect(plane.values[2 * 4 + 2] == 1 && plane.values[2 * 4 + 3] == 2)
    #expect(plane.values.reduce(0, +) == 3)
    #expect(plane.rowLabels == ["2", "1", "0", "-1"] && plane.columnLabels == ["-2", "-1", "0", "1"])
    #expect(plane.averagingNote.contains("2 colour channels") && plane.averagingNote.contains("2 masks"))
  }
}
