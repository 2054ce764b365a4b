import FourierLens

extension ReportBuilder {
  /// Neural anisotropy maps (Ortiz-Jiménez et al. 2020) of every model with a nad probe.
  mutating func anisotropySection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.anisotropy?.centredPlane != nil }
    // Optional analyses: a report without them is complete, so they are not listed as absent.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "anisotropy", title: "Neural anisotropy directions (the architecture's bias)")
    section.paragraph("Test accuracy of a <em>fresh</em> network of each model's architecture, trained on data that two "
                      + "classes separate only along one Fourier basis image (x = ±(ε/2)·v + noise orthogonal to v; "
                      + "Ortiz-Jiménez et al., 2020), for each frequency of a grid. Centred: DC in the middle, up is positive "
                      + "vertical frequency; each grid frequency fills the cells up to the next one. 50 % (dark) means the "
                      + "architecture cannot find that direction at this budget; 100 % (bright) that it learns it easily.")
    section.paragraph("This is a property of the architecture and its training procedure before any real data: the learned "
                      + "masks above show which frequencies one trained network <em>uses</em> on its data. A frequency the "
                      + "architecture cannot learn here cannot carry much of a trained network's decision, but a learnable "
                      + "one need not be used; two models of one architecture share this map and can still differ in their masks.")
    var figures: [PageFigure] = []
    for i in having {
      let m = entries[i].probes.anisotropy!
      let plane = m.centredPlane!
      let mean = m.accuracy.reduce(0, +) / Float(m.accuracy.count)
      let caption = "<em>\(Markup.escape(entries[i].name))</em> (\(Markup.escape(m.architecture))): \(m.grid)×\(m.grid) grid, "
        + "\(m.networks) networks of \(m.trainImages) images and \(m.epochs) epochs each; mean accuracy \(NumberFormat.percent(Double(mean))) %."
      figures.append(try addFrequencyMap(
        name: "nad-\(slugs[i])", plane: MaskPlane(values: plane.values, rows: plane.rows, columns: plane.columns, transform: .dft),
        colormap: .turbo, range: 0.5...1, colorBarTitle: "test accuracy", title: entries[i].name, titleColor: color(i),
        alt: "Neural anisotropy map of \(entries[i].name)", caption: caption))
    }
    section.add(figures)
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No nad probe for \(nameList(missing)).") }
    return section
  }
}
