import FourierLens

extension ReportBuilder {
  /// Fourier heat maps (Yin et al. 2019) of every model that has a heatmap probe, on one
  /// shared colour range.
  mutating func heatmapSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.heatmap != nil }
    guard !having.isEmpty else {
      absent.append("Fourier heat maps: no heatmap probe (<code>flens probe --probe heatmap</code>).")
      return nil
    }
    var section = PageSection(id: "heatmaps", title: "Fourier heat maps")
    let maps = having.map { entries[$0].probes.heatmap! }
    let top = max(maps.flatMap(\.errorRate).max() ?? 1, 1e-6)
    section.paragraph("Error rate when a Fourier basis image of L2 norm ε is added to every test image, for each frequency "
                      + "(Yin et al., 2019). Centred: DC in the middle, the highest frequencies at the corners; up is positive "
                      + "vertical frequency. All panels share the colour range [0, \(NumberFormat.fixed(Double(top), 2))]: "
                      + "bright cells are frequencies the model is sensitive to.")
    var figures: [PageFigure] = []
    for (k, i) in having.enumerated() {
      let h = maps[k]
      let plane = MaskPlane(values: h.errorRate, rows: h.rows, columns: h.columns, transform: .dft)
      var caption = "<em>\(Markup.escape(entries[i].name))</em>"
      if h.eps.isFinite { caption += ", ε = \(NumberFormat.fixed(h.eps, 2))" }
      caption += h.throughMask ? ", seen through its mask" : ""
      caption += "; mean error rate \(NumberFormat.percent(h.meanErrorRate)) %."
      figures.append(try addFrequencyMap(
        name: "heatmap-\(slugs[i])", plane: plane, colormap: .turbo, range: 0...top, colorBarTitle: "error rate",
        title: entries[i].name, titleColor: color(i), alt: "Fourier heat map of \(entries[i].name)", caption: caption))
    }
    section.add(figures)
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No heatmap probe for \(nameList(missing)).") }
    return section
  }
}
