import FourierLens

extension ReportBuilder {
  /// Frequency-ablation rankings and class shortcut masks (Wang et al., ICCV 2023) of every
  /// model with an ablation probe, compared with its learned mask.
  mutating func ablationSection() throws -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.ablation != nil }
    // Optional analyses: a report without them is complete, so they are not listed as absent.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "ablation", title: "Frequency ablation and shortcut masks")
    section.paragraph("Each DFT frequency (with its mirror) is removed from the model's normalised input and each class's "
                      + "mean cross-entropy increase is recorded (Wang et al., ICCV 2023). Maps: the increase averaged over "
                      + "the classes, centred. Each class's top k % frequencies form its mask; every image is seen through "
                      + "class c's mask: TPR is the share of class-c images then predicted c, FPR the share of other images "
                      + "predicted c. High TPR with high FPR marks a frequency shortcut. The last column compares the ablation "
                      + "ranking with the learned mask: the cosine similarity of the two maps (the increase clipped at 0, and the "
                      + "mask averaged over its channels and masks).")
    let results = having.map { entries[$0].probes.ablation! }
    let top = max(results.flatMap(\.meanIncrease).max() ?? 1, 1e-6)
    var figures: [PageFigure] = []
    var rows: [String] = []
    var table = CSVTable(header: ["model", "top_k_percent", "mean_tpr", "mean_fpr", "cosine_with_learned_mask"])
    for (k, i) in having.enumerated() {
      let a = results[k]
      let centred = SpectrumShift.fftshift(a.meanIncrease.map { max(0, $0) }, height: a.rows, width: a.columns)
      let learned = MaskPlane(entries[i].mask)
      let cosine: Double? = learned.transform == .dft && learned.rows == a.rows && learned.columns == a.columns
        ? Optional(MaskAlignmentProbe.cosine(centred, learned.values)).flatMap { $0.isFinite ? $0 : nil } : nil
      figures.append(try addFrequencyMap(
        name: "ablation-\(slugs[i])", plane: MaskPlane(values: centred, rows: a.rows, columns: a.columns, transform: .dft),
        colormap: .turbo, range: 0...top, colorBarTitle: "loss increase", title: entries[i].name, titleColor: color(i),
        alt: "Loss increase per removed frequency of \(entries[i].name)",
        caption: "<em>\(Markup.escape(entries[i].name))</em>: mean over \(a.classes.count) classes."))
      for (p, percent) in a.topKPercent.enumerated() {
        table.append([entries[i].name, NumberFormat.exact(percent), NumberFormat.exact(a.meanTPR[p]), NumberFormat.exact(a.meanFPR[p]),
                      cosine.map { NumberFormat.exact($0) } ?? ""])
        rows.append("<tr><td>\(swatchName(i))</td><td>\(NumberFormat.exact(percent)) %</td><td>\(NumberFormat.percent(a.meanTPR[p])) %</td>"
                    + "<td>\(NumberFormat.percent(a.meanFPR[p])) %</td><td>\(cosine.map { NumberFormat.fixed($0, 3) } ?? "n/a")</td></tr>")
      }
    }
    section.add(figures)
    let csv = addCSV("ablation", table)
    section.add(html: "<table><thead><tr><th>model</th><th>top k</th><th>mean TPR</th><th>mean FPR</th>"
                + "<th>cosine with learned mask</th></tr></thead><tbody>\n" + rows.joined(separator: "\n")
                + "\n</tbody></table>")
    section.note("Per model and k: <a href=\"\(csv)\">\(csv)</a>; per class in each probe directory's <code>ablation.csv</code>.")
    let missing = entries.indices.filter { !having.contains($0) }
    if !missing.isEmpty { section.note("No ablation probe for \(nameList(missing)).") }
    return section
  }
}
