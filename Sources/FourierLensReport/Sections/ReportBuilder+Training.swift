import Foundation
import FourierLens

extension ReportBuilder {
  /// The per-epoch histories of entry `i`: its own `summary.json`'s, or for a `--seeds K`
  /// run (whose top-level summary describes the mean mask and has no history) those of
  /// every `seeds/<k>/summary.json`; with the epoch each mask was kept at (`kept_epoch`,
  /// absent for masks of a retention path and in older runs).
  func learningHistories(_ i: Int) throws -> [(seed: UInt64?, history: [MaskEpochRecord], keptEpoch: Int?)] {
    let mask = entries[i].mask
    if !mask.summary.history.isEmpty { return [(nil, mask.summary.history, mask.summary.keptEpoch)] }
    guard let seeds = mask.summary.seeds, !seeds.isEmpty else { return [] }
    return try seeds.indices.compactMap { k in
      let dir = MaskRunDirectory.seedDirectory(mask.directory, k)
      guard FileManager.default.fileExists(atPath: MaskRunDirectory.summaryFile(dir)) else { return nil }
      let summary = try MaskRunDirectory.read(dir).summary
      return summary.history.isEmpty ? nil : (seeds[k].seed, summary.history, summary.keptEpoch)
    }
  }

  /// Loss curves of mask learning from each history: the distortion (invariance) term,
  /// the sparsity term and the masked accuracy per epoch; one line per seed of a
  /// multi-seed run, all in the model's colour.
  mutating func trainingSection() throws -> PageSection {
    var section = PageSection(id: "training", title: "Mask learning curves")
    let histories = try entries.indices.map { try learningHistories($0) }
    let having = entries.indices.filter { !histories[$0].isEmpty }
    guard !having.isEmpty else {
      section.note("No per-epoch history in any <code>summary.json</code> (nor in <code>seeds/&lt;k&gt;/summary.json</code>).")
      return section
    }
    var csv = CSVTable(header: ["model", "seed", "epoch", "learning_rate", "data_term", "distortion", "sparsity", "loss",
                                "masked_accuracy", "kept"])
    var distortion: [LineChart.Series] = [], sparsity: [LineChart.Series] = [], accuracy: [LineChart.Series] = []
    for i in having {
      let e = entries[i]
      for (seed, h, kept) in histories[i] {
        let many = h.count <= 40 && histories[i].count == 1
        distortion.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.distortion)) }, markers: many))
        sparsity.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.sparsity)) }, markers: many))
        accuracy.append(.init(name: e.name, color: color(i), points: h.map { (Double($0.epoch), Double($0.maskedAccuracy) * 100) },
                              markers: many))
        for r in h {
          csv.append([e.name, seed.map { "\($0)" } ?? "", "\(r.epoch)", NumberFormat.exact(r.learningRate),
                      NumberFormat.exact(r.dataTerm), NumberFormat.exact(r.distortion), NumberFormat.exact(r.sparsity),
                      NumberFormat.exact(r.loss), NumberFormat.exact(r.maskedAccuracy), r.epoch == kept ? "1" : "0"])
        }
      }
    }
    // Which epoch's mask was kept: the keep rule may keep an early, denser one.
    let kept = having.compactMap { i -> String? in
      let epochs = histories[i].compactMap(\.keptEpoch)
      guard !epochs.isEmpty else { return nil }
      return "<em>\(Markup.escape(entries[i].name))</em> epoch \(epochs.map(String.init).joined(separator: ", "))"
    }
    if !kept.isEmpty {
      section.note("Kept epoch (the mask written, by the keep rule; <code>kept_epoch</code> in <code>summary.json</code>, "
                   + "<code>kept</code> in the data): " + kept.joined(separator: "; ") + ".")
    }
    let seeded = having.filter { histories[$0].count > 1 }
    if !seeded.isEmpty {
      section.note("One line per seed for \(nameList(seeded)) (from <code>seeds/&lt;k&gt;/summary.json</code>).")
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
