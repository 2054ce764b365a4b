import FourierLens

/// The λ path of `flens learn-mask --retention`: per model and seed, retention (on the
/// learning and on the validation images) and sparsity against λ, the λ each target R
/// chose ringed, λ that did not converge crossed; the numbers in `data/path.csv`. Made for
/// both a report of one R and the index over every R (`RetentionIndexPage`).
enum LambdaPathSection {
  static let dataFile = "data/path.csv"

  /// The section, with its figures and data added to `files`; nil when no entry has a path.
  static func make(_ entries: [ReportEntry], files: inout ReportFiles) -> PageSection? {
    let having = entries.indices.filter { entries[$0].lambdaPath?.steps.isEmpty == false }
    guard !having.isEmpty else { return nil }
    var csv = CSVTable(header: ["model", "seed", "step", "lambda", "sparsity", "learning_retention", "validation_retention",
                                "masked_accuracy", "clean_accuracy", "images", "validation_masked_accuracy",
                                "validation_clean_accuracy", "validation_images", "converged", "optimizer_steps",
                                "warm_start_step", "chosen_for"])
    var retention: [LambdaPathChart.Series] = [], sparsity: [LambdaPathChart.Series] = []
    var retentionChoices: [LambdaPathChart.Choice] = [], sparsityChoices: [LambdaPathChart.Choice] = []
    var targets: [Float] = []
    var unconverged: [String] = []
    let validated = having.contains { i in entries[i].lambdaPath!.steps.contains { $0.validationRetention != nil } }
    for i in having {
      let e = entries[i], path = e.lambdaPath!, color = ChartStyle.color(forIndex: i)
      if path.steps.contains(where: { $0.converged == false }) { unconverged.append(e.name) }
      for seed in path.seeds {
        let steps = path.steps.filter { $0.seed == seed }
        func series(_ style: String?, _ dash: SVGCanvas.Dash, _ value: (LambdaPath.Step) -> Float?) -> LambdaPathChart.Series {
          let having = steps.compactMap { s in value(s).map { (s, Double($0)) } }
          return .init(.init(name: e.name, color: color, style: style, dash: dash, points: having.map { (Double($0.0.lambda), $0.1) }),
                       converged: having.map(\.0.converged))
        }
        retention.append(series("learning images", .solid) { $0.learningRetention })
        if steps.contains(where: { $0.validationRetention != nil }) {
          retention.append(series("validation images (held out)", .dashed) { $0.validationRetention })
        }
        sparsity.append(series(nil, .solid) { $0.sparsity })
        let choices = path.choices.filter { $0.seed == seed }
        for c in choices {
          guard let s = path.step(of: c) else { continue }
          if !targets.contains(c.target) { targets.append(c.target) }
          let label = "R \(NumberFormat.percent(Double(c.target))) %"
          // Ringed on the retention that judged the target: the validation images' when there are any.
          retentionChoices.append(.init(lambda: Double(s.lambda), value: Double(s.validationRetention ?? s.learningRetention),
                                        label: label, color: color))
          sparsityChoices.append(.init(lambda: Double(s.lambda), value: Double(s.sparsity), label: label, color: color))
        }
        for s in steps {
          func cell(_ v: Float?) -> String { v.map(NumberFormat.exact) ?? "" }
          let chosen = choices.filter { path.step(of: $0) == s }.map { NumberFormat.exact($0.target) }
          csv.append([e.name, "\(seed)", "\(s.step)", NumberFormat.exact(s.lambda), NumberFormat.exact(s.sparsity),
                      NumberFormat.exact(s.learningRetention), cell(s.validationRetention), NumberFormat.exact(s.maskedAccuracy),
                      NumberFormat.exact(s.cleanAccuracy), "\(s.images)", cell(s.validationMaskedAccuracy),
                      cell(s.validationCleanAccuracy), s.validationImages.map { "\($0)" } ?? "",
                      s.converged.map { $0 ? "yes" : "no" } ?? "", s.optimizerSteps.map { "\($0)" } ?? "",
                      s.warmStartStep.map { "\($0)" } ?? "", chosen.joined(separator: " ")])
        }
      }
    }
    targets.sort()
    files.add(dataFile, text: csv.text)
    var r = LambdaPathChart(series: retention, choices: retentionChoices, yTitle: "retention: masked / clean accuracy")
    r.rules = targets.map { (Double($0), "R \(NumberFormat.percent(Double($0))) %") }
    let s = LambdaPathChart(series: sparsity, choices: sparsityChoices, yTitle: "sparsity ‖M‖₁ / ‖M₀‖₁", yRange: 0...1)
    let rFigure = r.render(title: "Retention along the λ path"), sFigure = s.render(title: "Sparsity along the λ path")
    files.add("figures/lambda-path-retention.svg", text: rFigure.text)
    files.add("figures/lambda-path-sparsity.svg", text: sFigure.text)

    let names = having.map { entries[$0].name }
    let learning = ImageRangeText.html(byModel: having.map { (entries[$0].name, entries[$0].mask.summary.learningImages) })
    let validation = ImageRangeText.html(byModel: having.map { (entries[$0].name, entries[$0].mask.summary.validationImages) })
    let classScope = having.contains { entries[$0].mask.summary.scope == .class }
    var section = PageSection(id: "lambda-path", title: "The λ path")
    section.paragraph("Every λ the regularisation path of <code>flens learn-mask --retention</code> tried, from each model’s "
      + "<code>path.csv</code>, one line per model and seed, points sorted by λ (the path tries them out of order: it "
      + "brackets the targets, then narrows the bracket around each). Each λ was learned until its mask converged or the epoch cap stopped it.")
    var retentionCaption = "Retention (masked / clean accuracy) against λ. Solid: on the images the mask was learned on ("
      + learning + ")."
    if validated {
      retentionCaption += " Dashed: on the validation images, which the mask never saw (held out; " + validation
        + "); they decide whether a λ meets a target."
    } else {
      retentionCaption += " No validation images: the learning images decided whether a λ met a target."
    }
    retentionCaption += " Dotted lines: the targets R; ringed: the λ chosen for each R (per seed)."
    if !unconverged.isEmpty { retentionCaption += " Crosses: λ whose mask had not converged at the epoch cap." }
    var sparsityCaption = "Sparsity ‖M‖₁/‖M₀‖₁ of the mask learned at each λ (1 = the all-ones mask); ringed: the λ chosen for each R."
    if classScope {
      sparsityCaption += " Class masks: image-weighted means over the classes; the λ ringed is the largest any class needed."
    }
    section.add([
      PageFigure(file: "figures/lambda-path-retention.svg", width: Int(rFigure.width.rounded(.up)),
                 height: Int(rFigure.height.rounded(.up)), alt: "Retention against λ for " + names.joined(separator: ", "),
                 caption: retentionCaption, links: [("data CSV", dataFile)]),
      PageFigure(file: "figures/lambda-path-sparsity.svg", width: Int(sFigure.width.rounded(.up)),
                 height: Int(sFigure.height.rounded(.up)), alt: "Sparsity against λ for " + names.joined(separator: ", "),
                 caption: sparsityCaption, links: [("data CSV", dataFile)]),
    ])
    if !unconverged.isEmpty {
      section.note("<strong class=\"flag\">Not converged:</strong> some λ of the path of "
        + unconverged.map { "<em>\(Markup.escape($0))</em>" }.joined(separator: ", ")
        + " stopped at the epoch cap before their masks converged (crosses); a mask chosen from such a λ is denser "
        + "than its retention allows. Raise <code>--epochs</code>.")
    }
    let without = entries.indices.filter { !having.contains($0) }.map { entries[$0].name }
    if !without.isEmpty {
      section.note("No λ path (<code>path.csv</code> beside <code>retention-&lt;R&gt;/</code>) for "
        + without.map { "<em>\(Markup.escape($0))</em>" }.joined(separator: ", ") + ".")
    }
    return section
  }
}
