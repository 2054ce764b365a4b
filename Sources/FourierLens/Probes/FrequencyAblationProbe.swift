import Foundation

/// Frequency-ablation ranking and class shortcut masks (Wang et al., ICCV 2023, "What do
/// neural networks learn in image classification? A frequency shortcut perspective").
///
/// Each DFT frequency of the model's normalised input is removed from every image, together
/// with its Hermitian mirror −k (so images stay real; DC and the Nyquist frequencies are
/// their own mirrors), and each class's mean cross-entropy increase over its images is
/// recorded: the class's ranking of the frequencies it relies on. For each k in `percents`
/// the top k % of frequencies of a class form its binary mask (`MaskReliability.keepTop`:
/// a frequency and its mirror count together). Every image, of every class, is then seen
/// through class c's mask; as in the paper, TPR_c is the fraction of class-c images
/// predicted c, and FPR_c the fraction of the other classes' images predicted c. A mask
/// with high TPR and high FPR is a shortcut: those few frequencies alone make the model
/// answer c, whatever the image.
public struct FrequencyAblationProbe: Probe {
  public var name: String { Self.kind.name }
  public var percents: [Double]

  public init(percents: [Double] = [1, 5, 10, 20]) throws {
    guard !percents.isEmpty, percents.allSatisfy({ $0 > 0 && $0 <= 100 }) else {
      throw FourierLensError.badOption(name: "--probe ablation", reason: "top must be percentages in (0, 100], got \(percents)")
    }
    self.percents = percents
  }

  /// Per-image cross-entropy of row-major logits against labels.
  static func crossEntropy(_ logits: [Float], labels: [Int], classes k: Int) -> [Double] {
    labels.enumerated().map { i, y in
      let row = logits[i * k ..< (i + 1) * k].map(Double.init)
      let top = row.max()!
      return log(row.reduce(0) { $0 + exp($1 - top) }) + top - row[y]
    }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let model = context.model, k = model.classCount
    let shape = context.dataset.info.shape
    let (h, w) = (shape[1], shape[2]), plane = h * w
    let n = context.dataset.info.count
    guard n > 0 else { throw FourierLensError.badOption(name: "--probe ablation", reason: "needs at least one image") }
    let all = try context.dataset.batch(Array(0..<n))
    let counts = (0..<k).map { c in all.labels.filter { $0 == c }.count }

    func logits(through mask: [Float]?) throws -> [Float] {
      let seen: Classifier = try mask.map { try MaskedClassifier(base: model, mask: $0, transform: .dft, layout: .shared) } ?? model
      var out: [Float] = []
      for start in stride(from: 0, to: n, by: context.batchSize) {
        out += try seen.logits(all.images.slice(start..<min(n, start + context.batchSize)))
      }
      return out
    }
    func classMeans(_ losses: [Double]) -> [Double] {
      var sums = [Double](repeating: 0, count: k)
      for (i, y) in all.labels.enumerated() { sums[y] += losses[i] }
      return (0..<k).map { counts[$0] == 0 ? .nan : sums[$0] / Double(counts[$0]) }
    }

    let cleanLogits = try logits(through: nil)
    let cleanLoss = classMeans(Self.crossEntropy(cleanLogits, labels: all.labels, classes: k))
    let cleanAccuracy = Double(zip(ProbeEvaluation.predictions(cleanLogits, classes: k), all.labels).filter { $0 == $1 }.count) / Double(n)

    // One removal per ± pair.
    var units: [[Int]] = []
    for i in 0..<plane {
      let mirror = ((h - i / w) % h) * w + (w - i % w) % w
      if mirror == i { units.append([i]) } else if mirror > i { units.append([i, mirror]) }
    }
    let progress = ProgressReporter(label: "ablation", total: units.count * n, quiet: !context.showsProgress)
    var increase = [Float](repeating: 0, count: k * plane)
    for unit in units {
      var mask = [Float](repeating: 1, count: plane)
      for i in unit { mask[i] = 0 }
      let losses = classMeans(Self.crossEntropy(try logits(through: mask), labels: all.labels, classes: k))
      for c in 0..<k { for i in unit { increase[c * plane + i] = Float(losses[c] - cleanLoss[c]) } }
      progress.advance(by: n)
    }
    progress.finish()

    // Class masks and their true- and false-positive rates.
    var masks: [Float] = []
    var tpr: [[Double]] = [], fpr: [[Double]] = [], kept: [[Double]] = []
    var table = CSVTable(header: ["class", "top_k_percent", "kept_fraction", "tpr", "fpr", "class_images"])
    for p in percents {
      var tprRow: [Double] = [], fprRow: [Double] = [], keptRow: [Double] = []
      for c in 0..<k {
        let mask = try MaskReliability.keepTop(percent: p, of: Array(increase[c * plane ..< (c + 1) * plane]), shape: [h, w], transform: .dft)
        masks += mask
        let predicted = ProbeEvaluation.predictions(try logits(through: mask), classes: k)
        var truePositives = 0, falsePositives = 0
        for (i, y) in all.labels.enumerated() where predicted[i] == c {
          if y == c { truePositives += 1 } else { falsePositives += 1 }
        }
        let t = counts[c] == 0 ? Double.nan : Double(truePositives) / Double(counts[c])
        let f = n - counts[c] == 0 ? Double.nan : Double(falsePositives) / Double(n - counts[c])
        let share = Double(mask.reduce(0, +)) / Double(plane)
        tprRow.append(t)
        fprRow.append(f)
        keptRow.append(share)
        table.append([model.description.classes[c], p, share, t, f, counts[c]])
      }
      tpr.append(tprRow)
      fpr.append(fprRow)
      kept.append(keptRow)
    }
    func mean(_ v: [Double]) -> Double { let f = v.filter(\.isFinite); return f.isEmpty ? .nan : f.reduce(0, +) / Double(f.count) }
    return ProbeOutput(
      json: ["count": .number(Double(n)), "classes": .array(model.description.classes.map { .string($0) }),
             "class_images": .array(counts.map { .number(Double($0)) }),
             "clean_accuracy": .number(cleanAccuracy), "clean_loss": .numbers(cleanLoss),
             "layout": "unshifted DFT of the normalised input (index [0, 0] is DC), as learn-mask's masks; loss_increase and masks per class",
             "top_k_percent": .numbers(percents),
             "tpr": .array(tpr.map { .numbers($0) }), "fpr": .array(fpr.map { .numbers($0) }),
             "kept_fraction": .array(kept.map { .numbers($0) }),
             "mean_tpr": .numbers(tpr.map(mean)), "mean_fpr": .numbers(fpr.map(mean))],
      table: table,
      arrays: ["loss_increase": Tensor(shape: [k, h, w], data: increase),
               "masks": Tensor(shape: [percents.count, k, h, w], data: masks)])
  }
}

extension FrequencyAblationProbe {
  public static let kind = ProbeKind(
    name: "ablation", summary: "loss increase per removed frequency and class; top-k % class masks with TPR/FPR (Wang et al.)",
    parameters: [ProbeParameter("top", .numbers, default: "1|5|10|20", help: "percentages of frequencies kept in the class masks")]
  ) { a, _ in try FrequencyAblationProbe(percents: a.numbers("top")!) }
}
