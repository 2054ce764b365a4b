import FourierLens

extension ReportBuilder {
  /// Median margins per DCT block ("Hold me tight!") of every model with a margins probe,
  /// on one shared colour range.
  mutating func marginSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.margins != nil }
    // Optional analyses: a report without them is complete, so they are not listed as absent.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "margins", title: "Margins along frequency subspaces")
    let results = having.map { entries[$0].probes.margins! }
    let finite = results.flatMap(\.medianMargin).filter(\.isFinite)
    let top = max(finite.max() ?? 1, 1e-6)
    section.paragraph("Median over the probe images of the smallest L2 perturbation (pixel space) that changes the "
                      + "prediction when it may only use the DCT basis images of one block, in every colour channel "
                      + "(subspace-constrained DeepFool; Ortiz-Jiménez et al., 2020, “Hold me tight!”). DC is in the "
                      + "top-left block, frequencies grow to the right and downwards. Dark blocks are directions the "
                      + "decision boundary is close along (the network is sensitive there); bright ones are far. Blocks "
                      + "from which at least half the images could not be flipped (an invariance) are drawn at the top of "
                      + "the scale and listed in the caption. Shared colour range [0, \(NumberFormat.fixed(Double(top), 3))].")
    var figures: [PageFigure] = []
    var table = CSVTable(header: ["model", "block_row", "block_col", "median_margin", "flipped_fraction"])
    for (k, i) in having.enumerated() {
      let m = results[k]
      // Each block's value fills its b×b DCT coefficients, so the axes read in DCT indices.
      let (h, w) = (m.rows * m.block, m.columns * m.block)
      var values = [Float](repeating: 0, count: h * w)
      for y in 0..<h { for x in 0..<w { values[y * w + x] = min(top, m.medianMargin[(y / m.block) * m.columns + x / m.block]) } }
      for b in 0..<(m.rows * m.columns) {
        table.append([entries[i].name, "\(b / m.columns)", "\(b % m.columns)", NumberFormat.exact(m.medianMargin[b]),
                      NumberFormat.exact(m.flippedFraction[b])])
      }
      let invariant = (0..<(m.rows * m.columns)).filter { !m.medianMargin[$0].isFinite }
      let smallest = (0..<(m.rows * m.columns)).min { m.medianMargin[$0] < m.medianMargin[$1] }!
      var caption = "<em>\(Markup.escape(entries[i].name))</em>, \(m.block)×\(m.block) blocks, \(m.count) images; smallest median "
        + "\(NumberFormat.fixed(Double(m.medianMargin[smallest]), 3)) at block (\(smallest / m.columns), \(smallest % m.columns))"
      caption += invariant.isEmpty ? "." : "; not flippable (∞): " + invariant.map { "(\($0 / m.columns), \($0 % m.columns))" }.joined(separator: ", ") + "."
      figures.append(try addFrequencyMap(
        name: "margins-\(slugs[i])", plane: MaskPlane(values: values, rows: h, columns: w, transform: .dct), colormap: .turbo,
        range: 0...top, colorBarTitle: "median L2 margin", title: entries[i].name, titleColor: color(i),
        alt: "Median margin per DCT block of \(entries[i].name)", caption: caption))
    }
    section.add(figures)
    let csv = addCSV("margins", table)
    section.note("Per block and model: <a href=\"\(csv)\">\(csv)</a>.")
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No margins probe for \(nameList(missing)).") }
    return section
  }
}
