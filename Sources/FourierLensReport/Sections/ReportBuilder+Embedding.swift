import FourierLens

extension ReportBuilder {
  /// The image masks' PCA embedding by class and the linear probe on the masks, for every
  /// model with an embedding probe.
  mutating func embeddingSection() -> PageSection? {
    let having = entries.indices.filter { entries[$0].probes.embedding != nil }
    // Optional analyses: a report without them is complete, so they are not listed as absent.
    guard !having.isEmpty else { return nil }
    var section = PageSection(id: "embedding", title: "Image masks: embedding and linear probe")
    section.paragraph("Each image has its own mask (<code>flens learn-mask --scope image</code>). The scatter plots place every "
                      + "image's mask on the first two principal components of all masks (centred, not scaled), coloured by the "
                      + "image's class: classes that need different frequencies separate. The table gives a linear probe's "
                      + "accuracy on held-out images, predicting the class from the mask alone (multinomial logistic "
                      + "regression on standardised masks), against the same fit to shuffled training labels, which shows "
                      + "what the probe finds in noise; means over seeds of the train/test split with 95 % Student-t intervals "
                      + "(they cover the split of each network’s masks, not the variation between networks).")
    var figures: [PageFigure] = []
    var rows: [String] = []
    var points = CSVTable(header: ["model", "image", "class", "pc1", "pc2"])
    var accuracies = CSVTable(header: ["model", "labels", "seeds", "mean", "low", "high", "chance"])
    func formatted(_ a: EmbeddingProbeResult.Accuracy) -> String {
      NumberFormat.fixed(a.mean * 100, 1) + " %"
        + (a.interval.map { " [\(NumberFormat.fixed($0[0] * 100, 1)), \(NumberFormat.fixed($0[1] * 100, 1))]" } ?? "")
    }
    for i in having {
      let e = entries[i].probes.embedding!
      let groups = e.classes.indices.compactMap { k -> ScatterChart.Group? in
        let members = e.labels.indices.filter { e.labels[$0] == k }
        guard !members.isEmpty else { return nil }
        return ScatterChart.Group(name: e.classes[k], color: ChartStyle.color(forIndex: k),
                                  points: members.map { (Double(e.coordinates[2 * $0]), Double(e.coordinates[2 * $0 + 1])) })
      }
      for (n, label) in e.labels.enumerated() {
        points.append([entries[i].name, "\(n)", e.classes[label], NumberFormat.exact(Double(e.coordinates[2 * n])),
                       NumberFormat.exact(Double(e.coordinates[2 * n + 1]))])
      }
      let percent = e.explainedVariance.map { NumberFormat.fixed($0 * 100, 1) }
      let chart = ScatterChart(groups: groups, xTitle: "PC1 (\(percent[0]) % of variance)",
                               yTitle: "PC2 (\(percent[1]) % of variance)")
      let what = e.features == "log_mask" ? "log masks" : "masks"
      figures.append(addSVG("embedding-\(slugs[i])", chart.render(title: "\(entries[i].name): image \(what), PCA"),
                            alt: "PCA embedding of the image masks of \(entries[i].name), coloured by class",
                            caption: "<em>\(Markup.escape(entries[i].name))</em>: \(e.labels.count) image \(what) on their first two "
                              + "principal components, one colour per class.", data: ["data/embedding.csv"]))
      rows.append("<tr><td>\(swatchName(i))</td><td>\(e.labels.count)</td><td>\(e.trainImages) / \(e.testImages)</td>"
                  + "<td>\(e.seeds)</td><td>\(formatted(e.accuracy))</td><td>\(formatted(e.shuffledAccuracy))</td>"
                  + "<td>\(NumberFormat.fixed(e.chance * 100, 1)) %</td></tr>")
      for (labels, a) in [("true", e.accuracy), ("shuffled", e.shuffledAccuracy)] {
        accuracies.append([entries[i].name, labels, "\(e.seeds)", NumberFormat.exact(a.mean),
                           a.interval.map { NumberFormat.exact($0[0]) } ?? "", a.interval.map { NumberFormat.exact($0[1]) } ?? "",
                           NumberFormat.exact(e.chance)])
      }
    }
    section.add(html: "<table><thead><tr><th>model</th><th>images</th><th>train / test</th><th>seeds</th>"
                + "<th>linear probe accuracy [95 % CI]</th><th>shuffled labels [95 % CI]</th><th>chance (1/K)</th></tr></thead>"
                + "<tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table>")
    section.add(figures)
    let pointsCSV = addCSV("embedding", points), accuracyCSV = addCSV("embedding-probe", accuracies)
    section.note("Data: <a href=\"\(pointsCSV)\">\(pointsCSV)</a>, <a href=\"\(accuracyCSV)\">\(accuracyCSV)</a>.")
    return section
  }
}
