import FourierLens

extension ReportBuilder {
  /// Robust accuracy under every attack probe: a table with the masked variants, and
  /// grouped bars of robust accuracy by attack.
  mutating func robustnessSection() throws -> PageSection? {
    let labels = attackLabels
    guard !labels.isEmpty else {
      absent.append("Robust accuracy: no attack probe (<code>flens probe --probe attack:SPEC</code>).")
      return nil
    }
    var section = PageSection(id: "robustness", title: "Robust accuracy")
    var csv = CSVTable(header: ["model", "attack", "clean_accuracy", "robust_accuracy", "masked_clean_accuracy",
                                "masked_transfer_accuracy", "masked_adaptive_accuracy", "mean_perturbation_l2",
                                "max_perturbation_linf", "count"])
    var html = "<div class=\"table-wrap\"><table class=\"numbers\" id=\"robustness-table\">\n"
    html += "<caption>Accuracy (in %) under each attack. Through the mask: clean images; the plain model’s adversarial "
    html += "images seen through the mask (transfer: does the mask remove the perturbation?); and an attack on the masked "
    html += "model itself (adaptive). Perturbation sizes in pixel space ([0, 1] scale). "
    html += "[<a href=\"data/robustness.csv\">data CSV</a>]</caption>\n<thead><tr>"
    html += "<th class=\"text\">Model</th><th class=\"text\">Attack</th><th>Clean</th><th>Robust</th><th>Masked<br/>clean</th>"
    html += "<th>Masked<br/>transfer</th><th>Masked<br/>adaptive</th><th>Mean ‖δ‖₂</th><th>Max ‖δ‖∞</th></tr></thead>\n<tbody>\n"
    for (i, e) in entries.enumerated() {
      for a in e.probes.attacks {
        func cell(_ key: String, _ v: Double?) -> String {
          guard let v else { return "<td>–</td>" }
          return "<td data-model=\"\(Markup.escape(e.name))\" data-attack=\"\(Markup.escape(a.label))\" data-key=\"\(key)\" "
            + "data-value=\"\(NumberFormat.exact(v))\">\(NumberFormat.percent(v))</td>"
        }
        html += "<tr><td class=\"text\">\(swatchName(i))</td><td class=\"text\"><code>\(Markup.escape(a.label))</code></td>"
        html += cell("clean_accuracy", a.cleanAccuracy) + cell("robust_accuracy", a.robustAccuracy)
        html += cell("masked_clean_accuracy", a.maskedCleanAccuracy) + cell("masked_transfer_accuracy", a.maskedTransferAccuracy)
        html += cell("masked_adaptive_accuracy", a.maskedAdaptiveAccuracy)
        html += "<td>\(NumberFormat.fixed(a.meanPerturbationL2, 3))</td><td>\(NumberFormat.fixed(a.maxPerturbationLinf, 4))</td></tr>\n"
        func exact(_ v: Double?) -> String { v.map(NumberFormat.exact) ?? "" }
        csv.append([e.name, a.label, exact(a.cleanAccuracy), exact(a.robustAccuracy), exact(a.maskedCleanAccuracy),
                    exact(a.maskedTransferAccuracy), exact(a.maskedAdaptiveAccuracy), exact(a.meanPerturbationL2),
                    exact(a.maxPerturbationLinf), a.count.map { "\($0)" } ?? ""])
      }
    }
    let data = addCSV("robustness", csv)
    assert(data == "data/robustness.csv")
    html += "</tbody>\n</table></div>"
    section.add(html: html)

    let series = entries.indices.filter { !entries[$0].probes.attacks.isEmpty }.map { i -> BarChart.Series in
      let byLabel = Dictionary(entries[i].probes.attacks.map { ($0.label, $0.robustAccuracy) }, uniquingKeysWith: { a, _ in a })
      return BarChart.Series(name: entries[i].name, color: color(i), values: labels.map { (byLabel[$0] ?? .nan) * 100 })
    }
    var chart = BarChart(categories: labels, series: series, xTitle: "attack", yTitle: "robust accuracy (%)", yRange: 0...100)
    chart.valueLabels = series.count * labels.count <= 12
    // Narrow when there are few bars, so one attack is not a wide empty chart.
    chart.width = max(320, min(560, 150 + Double(series.count * labels.count) * 70))
    section.add([addSVG("robust-accuracy", chart.render(title: "Robust accuracy"),
                        alt: "Robust accuracy of every model under each attack",
                        caption: "Robust accuracy (plain models, no mask) under each attack.", data: [data])])
    let missing = entries.indices.filter { entries[$0].probes.attacks.isEmpty }
    if !missing.isEmpty { section.note("No attack probe for \(nameList(missing)).") }
    return section
  }

  /// One line chart per corruption: accuracy against severity, plain (solid) and through
  /// the mask (dashed).
  mutating func corruptionSection() throws -> PageSection? {
    var names: [String] = []
    for e in entries { for c in e.probes.corruptions where !names.contains(c.name) { names.append(c.name) } }
    guard !names.isEmpty else {
      absent.append("Corruption curves: no corruption probe (<code>flens probe --probe corruption:NAME</code>).")
      return nil
    }
    var section = PageSection(id: "corruptions", title: "Accuracy under corruptions")
    // The text promises dashed lines only for the models whose probe ran with a mask.
    let ranWithMask = entries.indices.filter { i in
      entries[i].probes.corruptions.contains { c in c.severities.contains { $0.maskedAccuracy != nil } }
    }
    let ranWithoutMask = entries.indices.filter { !entries[$0].probes.corruptions.isEmpty && !ranWithMask.contains($0) }
    if ranWithMask.isEmpty {
      section.paragraph("Accuracy as a corruption gets stronger, without a mask (the probes ran without <code>--mask</code>, so there are no dashed lines).")
    } else {
      section.paragraph("Accuracy as a corruption gets stronger, without (solid) and with (dashed) the model’s mask"
                        + (ranWithoutMask.isEmpty ? "." : "; \(nameList(ranWithoutMask)) ran without a mask (solid lines only)."))
    }
    var figures: [PageFigure] = []
    for (k, name) in names.enumerated() {
      var csv = CSVTable(header: ["model", "severity", "accuracy", "masked_accuracy"])
      var severities: [String] = []
      for e in entries {
        for c in e.probes.corruptions where c.name == name {
          for s in c.severities where !severities.contains(s.label) { severities.append(s.label) }
        }
      }
      var series: [LineChart.Series] = []
      for (i, e) in entries.enumerated() {
        guard let c = e.probes.corruptions.first(where: { $0.name == name }) else { continue }
        let plain = c.severities.map { (Double(severities.firstIndex(of: $0.label)!), $0.accuracy * 100) }
        series.append(.init(name: e.name, color: color(i), style: "plain", dash: .solid, points: plain))
        let masked = c.severities.compactMap { s in s.maskedAccuracy.map { (Double(severities.firstIndex(of: s.label)!), $0 * 100) } }
        if !masked.isEmpty { series.append(.init(name: e.name, color: color(i), style: "through the mask", dash: .dashed, points: masked)) }
        for s in c.severities {
          csv.append([e.name, s.label, NumberFormat.exact(s.accuracy), s.maskedAccuracy.map(NumberFormat.exact) ?? ""])
        }
      }
      let data = addCSV("corruption-\(ReportBuilder.slugs([name])[0])-\(k)", csv)
      let chart = LineChart(series: series, x: .categories(severities), xTitle: "severity of \(name)",
                            yTitle: "accuracy (%)", yRange: 0...100)
      figures.append(addSVG("corruption-\(ReportBuilder.slugs([name])[0])-\(k)", chart.render(title: "Accuracy under \(name)"),
                            alt: "Accuracy under the corruption \(name)",
                            caption: "Accuracy under <code>\(Markup.escape(name))</code> by severity.", data: [data]))
    }
    section.add(figures)
    return section
  }
}
