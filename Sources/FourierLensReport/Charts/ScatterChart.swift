/// A scatter plot of points in groups (e.g. images by class): each group one colour, named in
/// the legend above the plot, on linear x and y axes with round ticks.
public struct ScatterChart {
  public struct Group {
    public var name: String
    public var color: String
    public var points: [(x: Double, y: Double)]

    public init(name: String, color: String, points: [(x: Double, y: Double)]) {
      self.name = name
      self.color = color
      self.points = points
    }
  }

  public var groups: [Group]
  public var xTitle: String
  public var yTitle: String
  public var width: Double = 560
  public var height: Double = 420
  public var markerRadius: Double = 3

  public init(groups: [Group], xTitle: String, yTitle: String) {
    self.groups = groups
    self.xTitle = xTitle
    self.yTitle = yTitle
  }

  public func render(title: String? = nil) -> SVGFigure {
    var canvas = SVGCanvas(width: width, height: height)
    let points = groups.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
    let legend = ChartLegend(entries: groups.map { .init(label: $0.name, color: $0.color, mark: .swatch) })
    let frame = PlotFrame(width: width, height: height, y: ValueAxis.linear(covering: points.map(\.y)), legend: legend)
    frame.drawFrame(into: &canvas, yTitle: yTitle)
    let scale = NiceScale(minimum: points.map(\.x).min() ?? 0, maximum: points.map(\.x).max() ?? 1, maxTicks: 7)
    let px = { (x: Double) in frame.left + (x - scale.lower) / (scale.upper - scale.lower) * frame.plotWidth }
    for t in scale.ticks {
      canvas.line(x1: px(t), y1: frame.top, x2: px(t), y2: frame.bottom, stroke: ChartStyle.gridColor, width: 1)
      frame.drawXTick(into: &canvas, x: px(t), label: scale.label(t))
    }
    // Groups drawn in order; a white rim keeps overlapping markers apart.
    for g in groups {
      for p in g.points where p.x.isFinite && p.y.isFinite {
        canvas.circle(cx: px(p.x), cy: frame.py(p.y), r: markerRadius, fill: g.color, stroke: "#ffffff")
      }
    }
    frame.drawXTitle(into: &canvas, xTitle)
    return SVGFigure(text: canvas.document(title: title), width: width, height: height)
  }
}
