import Foundation
import Testing
@testable import FourierLensReport

@Suite struct ScatterChartTests {
  /// Markers sit at positions linear in the data on both axes (y upwards), coloured by group,
  /// and the legend and axis titles name what the reader needs.
  @Test func markersAreLinearInTheDataAndColouredByGroup() throws {
    let chart = ScatterChart(groups: [
      .init(name: "cat", color: "#111111", points: [(0, 0), (10, 5)]),
      .init(name: "dog", color: "#222222", points: [(5, 10)]),
    ], xTitle: "PC1 (60.0 % of variance)", yTitle: "PC2 (20.0 % of variance)")
    let root = try ChartTests.svg(chart.render())
    let circles = root.all(named: "circle")
    #expect(circles.map { $0.attributes["fill"] } == ["#111111", "#111111", "#222222"])
    let x = circles.map { ChartTests.number($0, "cx") }, y = circles.map { ChartTests.number($0, "cy") }
    #expect(abs((x[2] - x[0]) / (x[1] - x[0]) - 0.5) < 0.01, "x = 5 halfway between 0 and 10")
    #expect(abs((y[1] - y[0]) / (y[2] - y[0]) - 0.5) < 0.01, "y = 5 halfway between 0 and 10")
    #expect(y[2] < y[0], "larger values higher up")
    let text = root.all(named: "text").map(\.textContent)
    #expect(text.contains("cat") && text.contains("dog"))
    #expect(text.contains("PC1 (60.0 % of variance)") && text.contains("PC2 (20.0 % of variance)"))
  }
}
