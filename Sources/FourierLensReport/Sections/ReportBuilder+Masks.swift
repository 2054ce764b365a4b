import FourierLens

extension ReportBuilder {
  /// A frequency map in both forms: the SVG figure (axes, colour bar; shown on the page)
  /// and a PNG heat map with its own colour bar (for slides), plus the values as CSV.
  mutating func addFrequencyMap(name: String, plane: MaskPlane, colormap: Colormap, range: ClosedRange<Float>,
                                colorBarTitle: String, title: String, titleColor: String?, alt: String,
                                caption: String) throws -> PageFigure {
    let chart = FrequencyMapChart(values: plane.values, rows: plane.rows, columns: plane.columns, axes: plane.axes,
                                  colormap: colormap, range: range, colorBarTitle: colorBarTitle, title: title,
                                  titleColor: titleColor)
    let image = try Heatmap(colormap: colormap, range: .fixed(range.lowerBound, range.upperBound), centre: false)
      .render(plane.values, height: plane.rows, width: plane.columns)
    let png = addPNG(name, try PNGCodec.encode(pixels: image.pixels, width: image.width, height: image.height, channels: 3))
    let csv = addCSV(name, Self.gridTable(plane.values, rows: plane.rows, columns: plane.columns, rowLabels: plane.rowLabels,
                                          columnLabels: plane.columnLabels, corner: plane.csvCorner))
    var figure = addSVG(name, try chart.render(), alt: alt, caption: caption, data: [csv])
    figure.links.insert(("PNG", png), at: 0)
    return figure
  }

  /// The colour range shared by all mask pictures: [0, 1] when every value lies in it
  /// (the paper's clamped masks), else the data's range.
  static func maskRange(_ planes: [MaskPlane]) -> ClosedRange<Float> {
    let all = planes.flatMap(\.values)
    let lo = all.min() ?? 0, hi = all.max() ?? 1
    if lo >= 0 && hi <= 1 { return 0...1 }
    let a = min(lo, 0), b = max(hi, a + 1e-6)
    return a...b
  }

  mutating func maskSection() throws -> PageSection {
    var section = PageSection(id: "masks", title: "Learned masks")
    let planes = entries.map { MaskPlane($0.mask) }
    let range = Self.maskRange(planes)
    let dft = planes.contains { $0.transform == .dft }, dct = planes.contains { $0.transform == .dct }
    var intro = "Each model’s learned mask, one value per frequency (turbo colour map, the same range "
    intro += "[\(NumberFormat.fixed(Double(range.lowerBound), 2)), \(NumberFormat.fixed(Double(range.upperBound), 2))] for all models)."
    if dft { intro += " DFT masks are centred: zero frequency (DC) in the middle, low frequencies near it, the highest at the corners; up is positive vertical frequency." }
    if dct { intro += " DCT masks are shown as stored: DC in the top-left corner, frequency growing right and down." }
    section.paragraph(intro)
    var figures: [PageFigure] = []
    for (i, e) in entries.enumerated() {
      let p = planes[i], s = e.mask.summary
      var caption = "Mask of <em>\(Markup.escape(e.name))</em> (\(s.transform.rawValue), \(Markup.escape(s.param))"
      caption += ", sparsity \(NumberFormat.fixed(Double(s.sparsity), 3)))"
      if !p.averagingNote.isEmpty { caption += ": \(p.averagingNote)" }
      caption += "."
      figures.append(try addFrequencyMap(
        name: "mask-\(slugs[i])", plane: p, colormap: .turbo, range: range, colorBarTitle: "mask value", title: e.name,
        titleColor: color(i), alt: "Learned mask of \(e.name)", caption: caption))
    }
    section.add(figures)
    return section
  }

  mutating func differenceSection() throws -> PageSection {
    var section = PageSection(id: "differences", title: "Mask differences from the baseline")
    let base = MaskPlane(baselineEntry.mask)
    var pairs: [(Int, MaskPlane)] = []
    for (i, e) in entries.enumerated() where i != baseline {
      let p = MaskPlane(e.mask)
      guard p.transform == base.transform, p.rows == base.rows, p.columns == base.columns else { continue }
      let d = zip(p.values, base.values).map { $0 - $1 }
      pairs.append((i, MaskPlane(values: d, rows: p.rows, columns: p.columns, transform: p.transform)))
    }
    let extent = max(pairs.flatMap { $0.1.values.map(abs) }.max() ?? 0, 1e-6)
    section.paragraph("Mask of each model minus the mask of the baseline <em>\(Markup.escape(baselineEntry.name))</em> "
                      + "(cool–warm colour map, symmetric range ±\(NumberFormat.fixed(Double(extent), 2)) shared by all panels): "
                      + "red frequencies are kept more than by the baseline, blue ones less.")
    var figures: [PageFigure] = []
    for (i, plane) in pairs {
      figures.append(try addFrequencyMap(
        name: "mask-diff-\(slugs[i])", plane: plane, colormap: .coolwarm, range: -extent...extent,
        colorBarTitle: "difference of mask values", title: "\(entries[i].name) − \(baselineEntry.name)",
        titleColor: color(i), alt: "Mask of \(entries[i].name) minus the baseline's",
        caption: "<em>\(Markup.escape(entries[i].name))</em> − <em>\(Markup.escape(baselineEntry.name))</em>."))
    }
    section.add(figures)
    let skipped = entries.indices.filter { $0 != baseline && !pairs.map(\.0).contains($0) }
    if !skipped.isEmpty {
      section.note("No difference map for \(nameList(skipped)): the mask has another transform or size than the baseline’s.")
    }
    return section
  }
}
