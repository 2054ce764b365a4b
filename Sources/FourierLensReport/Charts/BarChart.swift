/// A grouped bar chart: one group per category along x, one bar per series (model) in
/// each group, bars from zero, with optional error bars (e.g. 95 % confidence intervals).
/// A single series is a plain bar chart.
public struct BarChart {
  public struct Series {
    public var name: String
    public var color: String
    /// One value per category; NaN leaves the bar out.
    public var values: [Double]
    /// Per category, the interval drawn as an error bar (absolute bounds), if any.
    public var intervals: [ClosedRange<Double>?]
    /// Per category, the values the bar is the mean of (e.g. one per trained network),
    /// drawn as dots beside the bar; empty for none.
    public var points: [[Double]]

    public init(name: String, color: String, values: [Double], intervals: [ClosedRange<Double>?]? = nil,
                points: [[Double]]? = nil) {
      self.name = name
      self.color = color
      self.values = values
      self.intervals = intervals ?? Array(repeating: nil, count: values.count)
      self.points = points ?? Array(repeating: [], count: values.count)
    }
  }

  public var categories: [String]
  public var series: [Series]
  public var xTitle: String
  public var yTitle: String
  /// Forces the value axis to cover this range (e.g. 0…100 for accuracies in %).
  public var yRange: ClosedRange<Double>?
  public var width: Double = 560
  public var height: Double = 320
  /// Print each bar's value above it (for few bars).
  public var valueLabels = false
  public var valueFormat: (Double) -> String = { String(format: "%.1f", $0) }

  public init(categories: [String], series: [Series], xTitle: String, yTitle: String, yRange: ClosedRange<Double>? = nil) {
    self.categories = categories
    self.series = series
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.yRange = yRange
  }

  /// The value axis: the data, the intervals and zero, or `yRange` widened to the data.
  func valueAxis() -> ValueAxis {
    var covered: [Double] = [0]
    for s in series {
      covered += s.values
      covered += s.intervals.compactMap { $0 }.flatMap { [$0.lowerBound, $0.upperBound] }
      covered += s.points.joined().filter(\.isFinite)
    }
    if let yRange { covered += [yRange.lowerBound, yRange.upperBound] }
    return ValueAxis.linear(covering: covered, maxTicks: 6)
  }

  public func render(title: String? = nil) -> SVGFigure {
    var canvas = SVGCanvas(width: width, height: height)
    let legend = ChartLegend(entries: series.filter { !$0.name.isEmpty }.map { .init(label: $0.name, color: $0.color, mark: .swatch) })
    let frame = PlotFrame(width: width, height: height, y: valueAxis(), legend: legend)
    frame.drawFrame(into: &canvas, yTitle: yTitle)
    let n = max(1, categories.count), k = max(1, series.count)
    let slot = frame.plotWidth / Double(n)
    // Bars are at most 56 px wide: a chart with one category should not be one slab.
    let barWidth = min(slot * (k == 1 ? 0.7 : 0.82) / Double(k), 56)
    let groupWidth = barWidth * Double(k)
    let zero = frame.py(min(max(0, frame.y.lower), frame.y.upper))
    for (si, s) in series.enumerated() {
      for (ci, v) in s.values.enumerated() where ci < categories.count && v.isFinite {
        let x = frame.left + slot * Double(ci) + (slot - groupWidth) / 2 + barWidth * Double(si)
        let yv = frame.py(v)
        canvas.rect(x: x + 0.5, y: min(yv, zero), width: barWidth - 1, height: abs(zero - yv), fill: s.color, className: "bar")
        let centre = x + barWidth / 2
        if ci < s.intervals.count, let interval = s.intervals[ci], interval.lowerBound.isFinite, interval.upperBound.isFinite {
          let lo = frame.py(interval.lowerBound), hi = frame.py(interval.upperBound)
          let cap = min(7, max(2, barWidth * 0.5)) / 2
          canvas.line(x1: centre, y1: lo, x2: centre, y2: hi, stroke: ChartStyle.textColor, width: 1.2, className: "error-bar")
          canvas.line(x1: centre - cap, y1: lo, x2: centre + cap, y2: lo, stroke: ChartStyle.textColor, width: 1.2, className: "error-bar")
          canvas.line(x1: centre - cap, y1: hi, x2: centre + cap, y2: hi, stroke: ChartStyle.textColor, width: 1.2, className: "error-bar")
        }
        if ci < s.points.count {
          // Beside the bar's right edge, spread a little so that equal values stay visible.
          for (pi, p) in s.points[ci].enumerated() where p.isFinite {
            let dx = Double(pi % 3) * 2.5
            canvas.circle(cx: x + barWidth - 3 - dx, cy: frame.py(p), r: 2.2, fill: ChartStyle.textColor, className: "point")
          }
        }
        if valueLabels {
          let above = v >= 0
          canvas.text(valueFormat(v), x: centre, y: above ? yv - 4 : yv + 12, anchor: .middle,
                      size: ChartStyle.tickFontSize - 1)
        }
      }
    }
    let labelWidth = categories.map { ChartStyle.textWidth($0, size: ChartStyle.tickFontSize) }.max() ?? 0
    let stride = frame.categoryLabelStride(count: n, labelWidth: labelWidth)
    for (ci, c) in categories.enumerated() where ci % stride == 0 {
      frame.drawXTick(into: &canvas, x: frame.left + slot * (Double(ci) + 0.5), label: c)
    }
    frame.drawXTitle(into: &canvas, xTitle)
    return SVGFigure(text: canvas.document(title: title), width: width, height: height)
  }
}
