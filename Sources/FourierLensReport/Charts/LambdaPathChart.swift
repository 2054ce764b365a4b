import Foundation

/// A quantity along regularisation paths against λ on a logarithmic axis: one line per
/// series (a model's seed and quantity), its points sorted by λ. A λ whose mask did not
/// converge is drawn as a cross instead of a dot, and the λ each retention target chose is
/// ringed and labelled with the target. Colour tells the model, the dash pattern the
/// quantity (e.g. retention on the learning or the validation images); the legend explains
/// colours, dashes and markers.
public struct LambdaPathChart {
  /// A line of LineChart's kind with (λ, value) points, and whether each point's λ
  /// converged (false draws a cross; nil, not recorded, and true a dot).
  public struct Series {
    public var line: LineChart.Series
    public var converged: [Bool?]

    public init(_ line: LineChart.Series, converged: [Bool?]) {
      precondition(line.points.count == converged.count, "one convergence flag per point")
      self.line = line
      self.converged = converged
    }
  }

  /// A chosen point: ringed in its model's colour and labelled (e.g. "R 95 %").
  public struct Choice {
    public var lambda: Double
    public var value: Double
    public var label: String
    public var color: String

    public init(lambda: Double, value: Double, label: String, color: String) {
      self.lambda = lambda
      self.value = value
      self.label = label
      self.color = color
    }
  }

  public var series: [Series]
  public var choices: [Choice]
  public var yTitle: String
  public var xTitle = "λ (sparsity weight, log scale)"
  public var yRange: ClosedRange<Double>?
  /// Horizontal reference lines (the retention targets), dotted and labelled.
  public var rules: [(value: Double, label: String)] = []
  public var width: Double = 560
  public var height: Double = 360

  public init(series: [Series], choices: [Choice], yTitle: String, yRange: ClosedRange<Double>? = nil) {
    self.series = series
    self.choices = choices
    self.yTitle = yTitle
    self.yRange = yRange
  }

  /// LineChart's legend (models, then quantities by dash), then the markers used.
  func legend() -> ChartLegend {
    var legend = LineChart(series: series.map(\.line), x: .numeric(range: nil), xTitle: xTitle, yTitle: yTitle).legend()
    var markers: [ChartLegend.Entry] = []
    if series.contains(where: { $0.converged.contains(false) }) {
      markers.append(.init(label: "λ not converged", color: ChartStyle.axisColor, mark: .glyph(.cross)))
    }
    if !choices.isEmpty {
      markers.append(.init(label: "λ chosen for retention R", color: ChartStyle.axisColor, mark: .glyph(.ring)))
    }
    if !markers.isEmpty { markers[0].startsRow = true }
    legend.entries += markers
    return legend
  }

  public func render(title: String? = nil) -> SVGFigure {
    var canvas = SVGCanvas(width: width, height: height)
    let points = series.flatMap(\.line.points).filter { $0.0 > 0 && $0.0.isFinite && $0.1.isFinite }
    var ys = points.map(\.1) + rules.map(\.value)
    if let yRange { ys += [yRange.lowerBound, yRange.upperBound] }
    let frame = PlotFrame(width: width, height: height, y: ValueAxis.linear(covering: ys), legend: legend())
    frame.drawFrame(into: &canvas, yTitle: yTitle)
    let lambdas = points.map(\.0)
    // λ are Float: 0.01 arrives as 0.0099999998, which would widen the axis by a decade.
    let x = ValueAxis.log(LogScale(minimum: (lambdas.min() ?? 1e-3) * (1 + 1e-6), maximum: (lambdas.max() ?? 1) * (1 - 1e-6)))
    let px = { (lambda: Double) in frame.left + x.fraction(lambda) * frame.plotWidth }
    for t in x.ticks {
      canvas.line(x1: px(t), y1: frame.top, x2: px(t), y2: frame.bottom, stroke: ChartStyle.gridColor, width: 1)
      frame.drawXTick(into: &canvas, x: px(t), label: x.label(t))
    }
    for rule in rules { frame.drawRule(into: &canvas, value: rule.value, label: rule.label) }
    for s in series {
      // Sorted by λ: the path tries λ out of order (bracketing, then narrowing).
      let sorted = zip(s.line.points, s.converged).filter { $0.0.0 > 0 && $0.0.0.isFinite && $0.0.1.isFinite }
        .sorted { $0.0.0 < $1.0.0 }
      canvas.polyline(sorted.map { (px($0.0.0), frame.py($0.0.1)) }, stroke: s.line.color, width: 2, dash: s.line.dash,
                      className: "series")
      for (p, converged) in sorted {
        let unconverged = converged == false
        (unconverged ? MarkerGlyph.cross : .dot).draw(into: &canvas, cx: px(p.0), cy: frame.py(p.1), color: s.line.color,
                                                      className: unconverged ? "unconverged" : "converged")
      }
    }
    // One label per place: seeds that chose the same λ would print it on top of itself.
    var labelled: [(label: String, x: Double, y: Double)] = []
    for c in choices where c.lambda > 0 && c.value.isFinite {
      let (cx, cy) = (px(c.lambda), frame.py(c.value))
      MarkerGlyph.ring.draw(into: &canvas, cx: cx, cy: cy, color: c.color, className: "chosen")
      guard !labelled.contains(where: { $0.label == c.label && abs($0.x - cx) < 24 && abs($0.y - cy) < 14 }) else { continue }
      labelled.append((c.label, cx, cy))
      canvas.text(c.label, x: cx + 9, y: cy - 9, size: ChartStyle.tickFontSize - 1, fill: c.color)
    }
    frame.drawXTitle(into: &canvas, xTitle)
    return SVGFigure(text: canvas.document(title: title), width: width, height: height)
  }
}
