/// The layout shared by bar and line charts: a legend row on top, the y-axis title and
/// tick labels on the left, the x-axis tick labels and title below, and the plot area
/// (where data is drawn) in between. Draws the axes, grid lines and titles.
struct PlotFrame {
  let width: Double, height: Double
  /// The plot area.
  let left: Double, top: Double, plotWidth: Double, plotHeight: Double
  let y: ValueAxis
  let legend: ChartLegend
  let legendTop: Double

  static let outerPadding = 10.0, titleSize = ChartStyle.labelFontSize

  init(width: Double, height: Double, y: ValueAxis, legend: ChartLegend, xTickRows: Int = 1) {
    self.width = width
    self.height = height
    self.y = y
    self.legend = legend
    let tickLabelWidth = y.ticks.map { ChartStyle.textWidth(y.label($0), size: ChartStyle.tickFontSize) }.max() ?? 0
    left = Self.outerPadding + Self.titleSize + 10 + tickLabelWidth + 6
    legendTop = Self.outerPadding
    let legendHeight = legend.height(width: width - left - Self.outerPadding)
    top = Self.outerPadding + legendHeight + (legendHeight > 0 ? 6 : 4)
    let bottom = Self.outerPadding + Self.titleSize + 8 + Double(xTickRows) * (ChartStyle.tickFontSize + 4) + 6
    plotWidth = width - left - Self.outerPadding - 14
    plotHeight = height - top - bottom
  }

  var right: Double { left + plotWidth }
  var bottom: Double { top + plotHeight }

  /// Pixel row of value v (may fall outside the plot for values outside the axis).
  func py(_ v: Double) -> Double { bottom - y.fraction(v) * plotHeight }

  /// Legend, horizontal grid lines with y tick labels, the y-axis title, and the axis lines.
  func drawFrame(into canvas: inout SVGCanvas, yTitle: String) {
    legend.draw(into: &canvas, x: left, y: legendTop, width: width - left - Self.outerPadding)
    for t in y.ticks {
      let ty = py(t)
      canvas.line(x1: left, y1: ty, x2: right, y2: ty, stroke: ChartStyle.gridColor, width: 1)
      canvas.line(x1: left - 4, y1: ty, x2: left, y2: ty, stroke: ChartStyle.axisColor, width: 1)
      canvas.text(y.label(t), x: left - 7, y: ty, anchor: .end, size: ChartStyle.tickFontSize, baseline: "central")
    }
    // A darker line at zero when the axis crosses it (differences).
    if case .linear = y, y.lower < 0, y.upper > 0 {
      canvas.line(x1: left, y1: py(0), x2: right, y2: py(0), stroke: ChartStyle.axisColor, width: 1)
    }
    canvas.text(yTitle, x: Self.outerPadding + Self.titleSize / 2 + 2, y: top + plotHeight / 2, anchor: .middle,
                size: Self.titleSize, baseline: "central", rotation: -90)
    canvas.line(x1: left, y1: top, x2: left, y2: bottom, stroke: ChartStyle.axisColor, width: 1)
    canvas.line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: ChartStyle.axisColor, width: 1)
  }

  /// The x-axis title, centred under the plot.
  func drawXTitle(into canvas: inout SVGCanvas, _ title: String) {
    canvas.text(title, x: left + plotWidth / 2, y: height - Self.outerPadding - 2, anchor: .middle, size: Self.titleSize)
  }

  /// A horizontal reference line across the plot (e.g. an accuracy target), dotted and labelled at its right end.
  func drawRule(into canvas: inout SVGCanvas, value: Double, label: String) {
    let ry = py(value)
    canvas.line(x1: left, y1: ry, x2: right, y2: ry, stroke: ChartStyle.axisColor, width: 1, dash: .dotted)
    canvas.text(label, x: right - 4, y: ry - 4, anchor: .end, size: ChartStyle.tickFontSize - 1, fill: ChartStyle.axisColor)
  }

  /// A tick mark and its label below the x axis at pixel column x.
  func drawXTick(into canvas: inout SVGCanvas, x: Double, label: String) {
    canvas.line(x1: x, y1: bottom, x2: x, y2: bottom + 4, stroke: ChartStyle.axisColor, width: 1)
    canvas.text(label, x: x, y: bottom + 7 + ChartStyle.tickFontSize * 0.8, anchor: .middle, size: ChartStyle.tickFontSize)
  }

  /// Every k-th label of n categories so that labels of about `labelWidth` pixels do not overlap.
  func categoryLabelStride(count n: Int, labelWidth: Double) -> Int {
    guard n > 0 else { return 1 }
    let slot = plotWidth / Double(n)
    return max(1, Int((labelWidth + 6) / slot + 0.999))
  }
}
