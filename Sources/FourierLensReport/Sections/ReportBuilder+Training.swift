import FourierLens

extension ReportBuilder {
  /// Loss curves of mask learning from each `summary.json` history: the distortion
  /// (invariance) term, the sparsity term and the masked accuracy per epoch.
  mutating func trainingSection() throws -> PageSection {
    var section = PageSection(id: "training", title: "Mask learning curves")
    let having = entries.indices.filter { !entries[$0].mask.summary.history.isEmpty }
    guard !having.isEmpty else {
      section.note("No per-epoch history in any <code>summary.json</code>.")
      return section
    }
    var csv = CSVTable(header: ["model", "epoch", "learning_rate", "data_term", "distortion", "sparsity", "loss", "masked_accuracy"])
    var distortion: [LineChart.Series] = [], sparsity: [LineChart.Series] = [], accuracy: [LineChart.Series] = []
    for i in having {
      let e = entries[i], h = e.mask.summary.history
      let many = h.count <= 40
      distortion.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.distortion)) }, markers: many))
      sparsity.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.sparsity)) }, markers: many))
      accuracy.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.maskedAccuracy) * 100) },
                            markers: many))
      for r in h {
        csv.append([e.name, "\(r.epoch)", NumberFormat.exact(r.learningRate), NumberFormat.exact(r.dataTerm),
                    NumberFormat.exact(r.distortion), NumberFormat.exact(r.sparsity), NumberFormat.exact(r.loss),
                    NumberFormat.exact(r.maskedAccuracy)])
      }
    }
    let data = addCSV("training", csv)
    let objectives = Set(having.map { entries[$0].mask.summary.objective })
    let distortionTitle: String
    switch objectives.count == 1 ? objectives.first! : nil {
    case .paper?: distortionTitle = "invariance I = (ΔCE)²"
    case .kl?: distortionTitle = "KL(clean ‖ masked)"
    case .ce?: distortionTitle = "cross-entropy to clean predictions"
    case nil: distortionTitle = "distortion term"
    }
    var d = LineChart(series: distortion, x: .numeric(range: nil), xTitle: "epoch", yTitle: distortionTitle)
    d.yScale = .automatic
    let s = LineChart(series: sparsity, x: .numeric(range: nil), xTitle: "epoch", yTitle: "sparsity ‖M‖₁ / ‖M₀‖₁", yRange: 0...1)
    let a = LineChart(series: accuracy, x: .numeric(range: nil), xTitle: "epoch", yTitle: "masked accuracy (%)")
    section.paragraph("Per epoch of <code>flens learn-mask</code>: the distortion term the mask must keep small, the sparsity "
                      + "term it drives down, and the accuracy through the mask at the end of the epoch.")
    section.add([
      addSVG("training-distortion", d.render(title: "Distortion per epoch"), alt: "Distortion term per epoch",
             caption: "Distortion term (batch mean over the epoch)" + (d.yScale == .automatic ? "; the axis is logarithmic when the values span decades." : "."),
             data: [data]),
      addSVG("training-sparsity", s.render(title: "Sparsity per epoch"), alt: "Sparsity per epoch",
             caption: "Sparsity ‖M‖₁/‖M₀‖₁ of the mask at the end of each epoch (1 = the initial all-ones mask).", data: [data]),
      addSVG("training-accuracy", a.render(title: "Masked accuracy per epoch"), alt: "Masked accuracy per epoch",
             caption: "Accuracy through the mask at the end of each epoch.", data: [data]),
    ])
    return section
  }
}
