import FourierLens

extension ReportBuilder {
  /// The essential mask against the adversarial map and the adversarial perturbations'
  /// spectrum (Basile et al. 2023), for every model with an alignment probe.
  mutating func alignmentSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.alignment != nil }
    // Optional analyses: a report without them is complete, so they are not listed as absent.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "alignment", title: "Essential mask, adversarial map and perturbation spectrum")
    section.paragraph("The adversarial map is the mask that keeps the model's <em>adversarial</em> predictions "
                      + "(<code>flens learn-mask --adversarial</code>; Basile et al., 2023). The table compares the essential-"
                      + "frequency mask with it and with the magnitude spectrum of the adversarial perturbations: cosine "
                      + "similarity of the maps and the correlation of their radial band energies, means over the compared "
                      + "units (mask planes or images) with 95 % bootstrap intervals over those units of each network (not over "
                      + "networks trained the same way). The maps show the mean perturbation "
                      + "spectrum: where the attack put its energy.")
    var figures: [PageFigure] = []
    var rows: [String] = []
    var table = CSVTable(header: ["model", "comparison", "units", "cosine", "cosine_low", "cosine_high",
                                  "band_correlation", "band_correlation_low", "band_correlation_high"])
    func interval(_ v: Double?, _ ci: [Double]?) -> String {
      guard let v else { return "n/a" }
      return NumberFormat.fixed(v, 3) + (ci.map { " [\(NumberFormat.fixed($0[0], 3)), \(NumberFormat.fixed($0[1], 3))]" } ?? "")
    }
    for i in having {
      let a = entries[i].probes.alignment!
      let values = a.transform == .dft ? SpectrumShift.fftshift(a.spectrum, height: a.rows, width: a.columns) : a.spectrum
      figures.append(try addFrequencyMap(
        name: "alignment-\(slugs[i])", plane: MaskPlane(values: values, rows: a.rows, columns: a.columns, transform: a.transform),
        colormap: .turbo, range: 0...max(values.max() ?? 1, 1e-9), colorBarTitle: "mean |spectrum|", title: entries[i].name,
        titleColor: color(i), alt: "Mean adversarial perturbation spectrum of \(entries[i].name)",
        caption: "<em>\(Markup.escape(entries[i].name))</em>: mean magnitude spectrum of its adversarial perturbations."))
      for c in a.comparisons {
        let label = c.name.replacingOccurrences(of: "_vs_", with: " vs ")
        rows.append("<tr><td>\(swatchName(i))</td><td>\(label)</td><td>\(c.units)</td><td>\(interval(c.cosine, c.cosineInterval))</td>"
                    + "<td>\(interval(c.bandCorrelation, c.bandCorrelationInterval))</td></tr>")
        table.append([entries[i].name, c.name, "\(c.units)", c.cosine.map { NumberFormat.exact($0) } ?? "",
                      c.cosineInterval.map { NumberFormat.exact($0[0]) } ?? "", c.cosineInterval.map { NumberFormat.exact($0[1]) } ?? "",
                      c.bandCorrelation.map { NumberFormat.exact($0) } ?? "",
                      c.bandCorrelationInterval.map { NumberFormat.exact($0[0]) } ?? "",
                      c.bandCorrelationInterval.map { NumberFormat.exact($0[1]) } ?? ""])
      }
    }
    section.add(html: "<table><thead><tr><th>model</th><th>comparison</th><th>units</th><th>cosine [95 % CI]</th>"
                + "<th>band-energy correlation [95 % CI]</th></tr></thead><tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table>")
    section.add(figures)
    let csv = addCSV("alignment", table)
    section.note("Data: <a href=\"\(csv)\">\(csv)</a>.")
    return section
  }
}
