import FourierLens

extension ReportBuilder {
  /// The loss's input-gradient spectrum per model: where a small change of the input moves
  /// the loss, beside the masks' essential frequencies.
  mutating func gradientSpectrumSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.gradientSpectrum != nil }
    // An optional analysis, like the margins: its absence is not listed among the paper's missing figures.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "gradient-spectrum", title: "Input-gradient spectra")
    section.paragraph("Which frequencies is the loss sensitive to? For every probe image, the magnitude spectrum of the gradient "
                      + "of the cross-entropy loss with respect to the pixel image (through the model’s mask where the probe "
                      + "says so), reduced to its radial profile and low-frequency share like a mask; means over images with "
                      + "95 % bootstrap intervals over images (they say nothing about other networks trained the same way).")
    var csv = CSVTable(header: ["model", "band", "energy", "ci_low", "ci_high"])
    var series: [LineChart.Series] = []
    var rows = ""
    for i in having {
      let g = entries[i].probes.gradientSpectrum!
      let name = entries[i].name
      let bands = g.radial.count
      let centres = (0..<bands).map { (Double($0) + 0.5) / Double(bands) }
      series.append(.init(name: name, color: color(i), points: Array(zip(centres, g.radial))))
      for (k, e) in g.radial.enumerated() {
        csv.append([name, "\(k)", NumberFormat.exact(e), NumberFormat.exact(g.radialInterval[k][0]), NumberFormat.exact(g.radialInterval[k][1])])
      }
      func interval(_ v: Double, _ ci: [Double]) -> String {
        ci.count == 2 ? "\(NumberFormat.fixed(v, 3)) [\(NumberFormat.fixed(ci[0], 3)), \(NumberFormat.fixed(ci[1], 3))]" : NumberFormat.fixed(v, 3)
      }
      rows += "<tr><td>\(Markup.escape(name))</td><td>\(g.images)</td><td>\(g.throughMask ? "yes" : "no")</td>"
        + "<td>\(interval(g.lowFrequencyShare, g.lowFrequencyShareInterval))</td><td>\(interval(g.anisotropy, g.anisotropyInterval))</td></tr>\n"
    }
    let data = addCSV("gradient-spectrum", csv)
    let chart = LineChart(series: series, x: .numeric(range: 0...1),
                          xTitle: "radial band centre (fraction of the DC-to-corner distance)", yTitle: "band energy (L2-normalised)")
    section.add([
      addSVG("gradient-spectrum-radial", chart.render(title: "Radial profile of the input-gradient spectrum"),
             alt: "Radial energy profile of the loss's input-gradient spectrum per model",
             caption: "Radial profile of the mean over images of each image’s input-gradient magnitude spectrum, as for a mask "
               + "(bands of equal width from DC to the corner). Intervals per band are in the data file.", data: [data]),
    ])
    section.add(html: "<div class=\"table-wrap\"><table class=\"numbers\"><caption>Low-frequency share (squared energy in the "
      + "lowest quarter of the radial bands) and anisotropy of the grid-normalised angular profile, mean over images "
      + "[95 % interval over images].</caption><thead><tr><th>model</th><th>images</th><th>through mask</th>"
      + "<th>low-frequency share</th><th>anisotropy</th></tr></thead><tbody>\n\(rows)</tbody></table></div>")
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No gradient-spectrum probe for \(nameList(missing)).") }
    return section
  }
}
