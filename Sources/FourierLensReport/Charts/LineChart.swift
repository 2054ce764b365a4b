/// A line chart: one line per series over a numeric or categorical x axis, on a linear or
/// logarithmic y axis. Colour tells the model; the dash pattern tells a second variable
/// (low-pass vs high-pass, plain vs masked), and the legend explains both.
public struct LineChart {
  public struct Series {
    /// The model (coloured legend entry).
    public var name: String
    public var color: String
    /// The condition this line shows (dashed legend entry), if the chart has several.
    public var style: String?
    public var dash: SVGCanvas.Dash
    /// (x, y) points; for a categorical axis x is the category index.
    public var points: [(Double, Double)]
    public var markers: Bool

    public init(name: String, color: String, style: String? = nil, dash: SVGCanvas.Dash = .solid,
                points: [(Double, Double)], markers: Bool = true) {
      self.name = name
      self.color = color
      self.style = style
      self.dash = dash
      self.points = points
      self.markers = markers
    }
  }

  public enum XAxis {
    /// A numeric axis; `range` forces it to cover that interval.
    case numeric(range: ClosedRange<Double>?)
    case categories([String])
    /// A numeric axis from the first to the last of these ticks (e.g. 0°, 45°, …, 180°).
    case ticks([Double])
  }

  public enum YScale { case linear, automatic }

  public var series: [Series]
  public var x: XAxis
  public var xTitle: String
  public var yTitle: String
  public var yRange: ClosedRange<Double>?
  public var yScale: YScale = .linear
  /// Horizontal reference lines (e.g. an accuracy target), drawn dotted and labelled.
  public var rules: [(value: Double, label: String)] = []
  public var width: Double = 560
  public var height: Double = 320

  public init(series: [Series], x: XAxis, xTitle: String, yTitle: String, yRange: ClosedRange<Double>? = nil) {
    self.series = series
    self.x = x
    self.xTitle = xTitle
    self.yTitle = yTitle
    self.yRange = yRange
  }

  func legend() -> ChartLegend {
    var entries: [ChartLegend.Entry] = []
    var seen = Set<String>()
    for s in series where !s.name.isEmpty && seen.insert(s.name).inserted {
      entries.append(.init(label: s.name, color: s.color, mark: .line(.solid, marker: s.markers)))
    }
    var styles: [(String, SVGCanvas.Dash)] = []
    for s in series { if let st = s.style, !styles.contains(where: { $0.0 == st }) { styles.append((st, s.dash)) } }
    if styles.count > 1 {
      entries += styles.enumerated().map { k, style in
        .init(label: style.0, color: ChartStyle.axisColor, mark: .line(style.1, marker: false), startsRow: k == 0)
      }
    }
    return ChartLegend(entries: entries)
  }

  public func render(title: String? = nil) -> SVGFigure {
    var canvas = SVGCanvas(width: width, height: height)
    var ys = series.flatMap { $0.points.map { $0.1 } } + rules.map { $0.value }
    if let yRange { ys += [yRange.lowerBound, yRange.upperBound] }
    let yAxis = yScale == .automatic ? ValueAxis.automatic(covering: ys) : ValueAxis.linear(covering: ys)
    let frame = PlotFrame(width: width, height: height, y: yAxis, legend: legend())
    frame.drawFrame(into: &canvas, yTitle: yTitle)

    // x mapping.
    let px: (Double) -> Double
    switch x {
    case let .numeric(range):
      var xs = series.flatMap { $0.points.map { $0.0 } }
      if let range { xs += [range.lowerBound, range.upperBound] }
      let scale = NiceScale(minimum: xs.filter(\.isFinite).min() ?? 0, maximum: xs.filter(\.isFinite).max() ?? 1, maxTicks: 7)
      px = { frame.left + (($0 - scale.lower) / (scale.upper - scale.lower)) * frame.plotWidth }
      for t in scale.ticks {
        let tx = px(t)
        canvas.line(x1: tx, y1: frame.top, x2: tx, y2: frame.bottom, stroke: ChartStyle.gridColor, width: 1)
        frame.drawXTick(into: &canvas, x: tx, label: scale.label(t))
      }
    case let .ticks(ticks):
      let lo = ticks.min() ?? 0, hi = max(ticks.max() ?? 1, lo + 1e-12)
      px = { frame.left + (($0 - lo) / (hi - lo)) * frame.plotWidth }
      for t in ticks {
        let tx = px(t)
        canvas.line(x1: tx, y1: frame.top, x2: tx, y2: frame.bottom, stroke: ChartStyle.gridColor, width: 1)
        frame.drawXTick(into: &canvas, x: tx, label: NiceScale.typographic(String(format: "%g", t)))
      }
    case let .categories(names):
      let slot = frame.plotWidth / Double(max(1, names.count))
      px = { frame.left + slot * ($0 + 0.5) }
      let labelWidth = names.map { ChartStyle.textWidth($0, size: ChartStyle.tickFontSize) }.max() ?? 0
      let stride = frame.categoryLabelStride(count: names.count, labelWidth: labelWidth)
      for (i, name) in names.enumerated() where i % stride == 0 { frame.drawXTick(into: &canvas, x: px(Double(i)), label: name) }
    }
    for rule in rules { frame.drawRule(into: &canvas, value: rule.value, label: rule.label) }
    for s in series {
      let points = s.points.map { (px($0.0), frame.py($0.1)) }
      canvas.polyline(points, stroke: s.color, width: 2, dash: s.dash, className: "series")
      if s.markers {
        for p in points where p.0.isFinite && p.1.isFinite {
          canvas.circle(cx: p.0, cy: p.1, r: 2.8, fill: s.dash == .solid ? s.color : "#ffffff", stroke: s.color)
        }
      }
    }
    frame.drawXTitle(into: &canvas, xTitle)
    return SVGFigure(text: canvas.document(title: title), width: width, height: height)
  }
}
