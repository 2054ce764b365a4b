import Foundation
import FourierLens

/// The index of an experiment compared at several retention targets: per R, the table of
/// λ, sparsity, masked/clean accuracy and retention (learning and held out) of every model,
/// with a link to that R's full report (`retention-<R>/index.html`), and the same numbers in
/// `data/retention.csv`; above them the λ paths (`LambdaPathSection`) and the trade-off curve.
public enum RetentionIndexPage {
  /// One target's report: its R, the entries it compared, and the directory it was written to
  /// (relative to the index's directory).
  public struct Target {
    public var retention: Float
    public var entries: [ReportEntry]
    public var reportDirectory: String

    public init(retention: Float, entries: [ReportEntry], reportDirectory: String) {
      self.retention = retention
      self.entries = entries
      self.reportDirectory = reportDirectory
    }
  }

  public static func write(_ targets: [Target], inputs: [String], to directory: String) throws {
    var files = ReportFiles()
    var csv = CSVTable(header: ["retention_target", "model", "lambda", "clean_accuracy", "masked_accuracy", "retention",
                                "sparsity", "target_met", "validation_retention", "converged", "learning_images",
                                "validation_images"])
    var sections: [PageSection] = []
    for t in targets {
      let r = "\(NumberFormat.percent(Double(t.retention))) %"
      var section = PageSection(id: RetentionPathConfig.directoryName(t.retention), title: "Retention \(r)")
      var html = "<div class=\"table-wrap\"><table class=\"numbers\" id=\"table-\(RetentionPathConfig.directoryName(t.retention))\">\n"
      let summaries = t.entries.map(\.mask.summary)
      html += "<caption>For each model, the sparsest mask whose masked accuracy is ≥ \(r) of clean accuracy on the "
      html += summaries.contains { $0.validationRetention != nil }
        ? "validation images, which the mask never saw (held out: "
          + ImageRangeText.html(byModel: t.entries.map { ($0.name, $0.mask.summary.validationImages) }) + "), "
        : "images it was learned on (no validation images were set aside), "
      html += "and the λ at which the regularisation path found it. Learning images: "
      html += ImageRangeText.html(byModel: t.entries.map { ($0.name, $0.mask.summary.learningImages) }) + ". "
      html += "[<a href=\"\(Markup.escape(t.reportDirectory))/index.html\">full report at \(r)</a>]</caption>\n"
      html += "<thead><tr><th class=\"text\">Model</th><th>λ</th><th>Clean (%)</th><th>Masked (%)</th><th>Retention, learning (%)</th>"
      html += "<th>Retention, held out (%)</th><th>Sparsity</th><th class=\"text\">Target</th></tr></thead>\n<tbody>\n"
      var masks: [RetentionNotes.Mask] = []
      for e in t.entries {
        let s = e.mask.summary
        let retention = s.retention
        let unconvergedSeeds = s.seeds?.filter { $0.converged == false }.map(\.seed) ?? []
        masks.append(.init(model: e.name, retention: s.validationRetention ?? retention, retentionTarget: s.retentionTarget,
                           targetMet: s.targetMet, heldOut: s.validationRetention != nil, converged: s.converged,
                           unconvergedSeeds: unconvergedSeeds))
        func cell(_ key: String, _ value: String, _ text: String) -> String {
          "<td data-model=\"\(Markup.escape(e.name))\" data-key=\"\(key)\" data-value=\"\(value)\">\(text)</td>"
        }
        html += "<tr data-model=\"\(Markup.escape(e.name))\"><td class=\"text\">\(Markup.escape(e.name))</td>"
        // Three significant digits: over seeds λ is a mean (e.g. of 0.32, 0.64, 0.64).
        html += cell("lambda", NumberFormat.exact(s.lambda), String(format: "%.3g", Double(s.lambda)))
        html += cell("clean_accuracy", NumberFormat.exact(s.cleanAccuracy), NumberFormat.percent(Double(s.cleanAccuracy)))
        html += cell("masked_accuracy", NumberFormat.exact(s.maskedAccuracy), NumberFormat.percent(Double(s.maskedAccuracy)))
        html += cell("retention", NumberFormat.exact(retention), NumberFormat.percent(Double(retention)))
        html += s.validationRetention.map {
          cell("validation_retention", NumberFormat.exact($0), NumberFormat.percent(Double($0)))
        } ?? "<td title=\"no validation images\">–</td>"
        html += cell("sparsity", NumberFormat.exact(s.sparsity), NumberFormat.fixed(Double(s.sparsity), 3))
        var target = s.targetMet == false ? "<strong class=\"flag\">not met</strong>" : "met"
        if s.converged == false || !unconvergedSeeds.isEmpty { target += " <strong class=\"flag\">not converged</strong>" }
        html += "<td class=\"text\">\(target)</td>"
        html += "</tr>\n"
        csv.append([NumberFormat.exact(t.retention), e.name, NumberFormat.exact(s.lambda), NumberFormat.exact(s.cleanAccuracy),
                    NumberFormat.exact(s.maskedAccuracy), NumberFormat.exact(retention), NumberFormat.exact(s.sparsity),
                    s.targetMet == false ? "no" : "yes", s.validationRetention.map(NumberFormat.exact) ?? "",
                    s.converged.map { $0 ? "yes" : "no" } ?? "", s.learningImages?.description ?? "",
                    s.validationImages?.description ?? ""])
      }
      html += "</tbody>\n</table></div>"
      section.add(html: html)
      for note in RetentionNotes.notes(masks) { section.note(note) }
      sections.append(section)
    }
    files.add("data/retention.csv", text: csv.text)
    if let path = LambdaPathSection.make(targets.first?.entries ?? [], files: &files) { sections.insert(path, at: 0) }
    if let trade = tradeOffSection(targets.first?.entries ?? [], files: &files) { sections.insert(trade, at: 0) }
    let page = ReportPage(
      title: "FourierLens report at matched retention",
      subtitle: "Masks compared at the same fraction of clean accuracy: "
        + targets.map { "\(NumberFormat.percent(Double($0.retention))) %" }.joined(separator: ", "),
      inputs: inputs, sections: sections, dataFiles: files.files.map(\.path).filter { $0.hasPrefix("data/") })
    files.add("index.html", text: page.html())
    try files.write(to: directory)
  }

  /// The trade-off curve: sparsity against retention along each model's λ path (one line per
  /// model and seed, coloured by model), from the paths recorded in the summaries. Retention
  /// is the one that judged the targets: on the validation images where the run had them.
  static func tradeOffSection(_ entries: [ReportEntry], files: inout ReportFiles) -> PageSection? {
    var csv = CSVTable(header: ["model", "seed", "lambda", "masked_accuracy", "clean_accuracy", "retention", "sparsity",
                                "validation_retention"])
    var heldOut = false
    var series: [LineChart.Series] = []
    for (i, e) in entries.enumerated() {
      let path = e.mask.summary.path ?? []
      for seed in path.map(\.seed).reduce(into: [UInt64](), { if !$0.contains($1) { $0.append($1) } }) {
        // In order of λ, as the λ path figures show them (the path tries λ out of order).
        let points = path.filter { $0.seed == seed }.sorted { $0.lambda < $1.lambda }
        heldOut = heldOut || points.contains { $0.validationRetention != nil }
        series.append(.init(name: e.name, color: ChartStyle.color(forIndex: i),
                            points: points.map { (Double($0.validationRetention ?? $0.retention) * 100, Double($0.sparsity)) }))
        for p in points {
          csv.append([e.name, "\(seed)", NumberFormat.exact(p.lambda), NumberFormat.exact(p.maskedAccuracy),
                      NumberFormat.exact(p.cleanAccuracy), NumberFormat.exact(p.retention), NumberFormat.exact(p.sparsity),
                      p.validationRetention.map(NumberFormat.exact) ?? ""])
        }
      }
    }
    guard !series.isEmpty else { return nil }
    files.add("data/tradeoff.csv", text: csv.text)
    let chart = LineChart(series: series, x: .numeric(range: nil),
                          xTitle: "retention: masked / clean accuracy (%)" + (heldOut ? ", validation images" : ""),
                          yTitle: "sparsity ‖M‖₁ / ‖M₀‖₁", yRange: 0...1)
    let figure = chart.render(title: "Sparsity against retention")
    files.add("figures/tradeoff.svg", text: figure.text)
    var section = PageSection(id: "tradeoff", title: "Sparsity against retention")
    section.add([PageFigure(file: "figures/tradeoff.svg", width: Int(figure.width.rounded(.up)),
                            height: Int(figure.height.rounded(.up)), alt: "Sparsity against retention per model",
                            caption: "Every λ of each model's regularisation path (one line per seed): the sparsest mask "
                              + "at retention R is the lowest point at or right of R. Retention is "
                              + (heldOut ? "on the validation images, which the masks never saw (held out), where the run "
                                 + "set them aside, else on the learning images." : "on the images the masks were learned on.")
                              + " Points are joined in order of λ.",
                            links: [("data CSV", "data/tradeoff.csv")])])
    return section
  }
}
