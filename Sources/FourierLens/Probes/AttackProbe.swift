/// Robust accuracy under an attack. With a mask it also asks whether the mask removes
/// adversarial perturbations: adversarial images of the plain model seen through the
/// mask (transfer), and an attack on the masked model itself (adaptive).
public struct AttackProbe: Probe {
  public let attack: Attack
  public let spec: String
  public var name: String { Self.kind.name + "-" + attack.name }

  public init(attack: Attack, spec: String) {
    self.attack = attack
    self.spec = spec
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let masked = try context.maskedModel()
    let k = context.model.classCount
    let n = context.dataset.info.count
    var counts = [String: Int]()
    func add(_ key: String, _ logits: [Float], _ labels: [Int]) {
      counts[key, default: 0] += zip(ProbeEvaluation.predictions(logits, classes: k), labels).filter { $0 == $1 }.count
    }
    var perturbationL2 = 0.0, perturbationLinf = 0.0
    let progress = ProgressReporter(label: name, total: n, quiet: !context.showsProgress)
    var batchIndex: UInt64 = 0
    let batches = (n + context.batchSize - 1) / context.batchSize
    var plainQueries = ModelQueryCount(), maskedQueries = ModelQueryCount()
    for start in stride(from: 0, to: n, by: context.batchSize) {
      let batch = try context.dataset.batch(Array(start..<min(n, start + context.batchSize)))
      let seed = SeededGenerator.derive(context.seed, batchIndex)
      let before = attack.modelQueries
      let adversarial = try attack.perturb(batch, model: context.model, seed: seed, batchIndex: Int(batchIndex), of: batches,
                                           firstImage: start)
      if let before, let after = attack.modelQueries { plainQueries.add(after.since(before)) }
      guard adversarial.shape == batch.images.shape, adversarial.isFinite else {
        throw FourierLensError.plugin(library: attack.name, reason: "returned a batch of shape \(adversarial.shape) or with non-finite values")
      }
      let per = batch.images.strideOfFirstDimension
      for i in 0..<batch.count {
        var l2 = 0.0, linf = 0.0
        for j in i * per ..< (i + 1) * per {
          let d = Double(adversarial.data[j] - batch.images.data[j])
          l2 += d * d
          linf = max(linf, abs(d))
        }
        perturbationL2 += l2.squareRoot()
        perturbationLinf = max(perturbationLinf, linf)
      }
      add("clean", try context.model.logits(batch.images), batch.labels)
      add("robust", try context.model.logits(adversarial), batch.labels)
      if let masked {
        add("masked_clean", try masked.logits(batch.images), batch.labels)
        add("masked_transfer", try masked.logits(adversarial), batch.labels)
        let beforeMasked = attack.modelQueries
        let adaptive = try attack.perturb(batch, model: masked, seed: seed, batchIndex: Int(batchIndex), of: batches,
                                          firstImage: start)
        if let beforeMasked, let after = attack.modelQueries { maskedQueries.add(after.since(beforeMasked)) }
        add("masked_adaptive", try masked.logits(adaptive), batch.labels)
      }
      batchIndex += 1
      progress.advance(by: batch.count)
    }
    progress.finish()
    func fraction(_ key: String) -> Double { Double(counts[key] ?? 0) / Double(max(1, n)) }
    var json: [String: JSONValue] = [
      "attack": .string(spec), "summary": .string(attack.summary), "count": .number(Double(n)),
      "clean_accuracy": .number(fraction("clean")), "robust_accuracy": .number(fraction("robust")),
      "mean_perturbation_l2": .number(perturbationL2 / Double(max(1, n))), "max_perturbation_linf": .number(perturbationLinf),
    ]
    if attack.modelQueries != nil {
      json["model_queries"] = plainQueries.json(images: n)
      if masked != nil { json["masked_model_queries"] = maskedQueries.json(images: n) }
    }
    var table = CSVTable(header: ["condition", "accuracy"])
    table.append(["clean", fraction("clean")])
    table.append(["adversarial", fraction("robust")])
    if masked != nil {
      json["masked_clean_accuracy"] = .number(fraction("masked_clean"))
      json["masked_transfer_accuracy"] = .number(fraction("masked_transfer"))
      json["masked_adaptive_accuracy"] = .number(fraction("masked_adaptive"))
      table.append(["masked clean", fraction("masked_clean")])
      table.append(["masked, adversarial of plain model", fraction("masked_transfer")])
      table.append(["masked, adversarial of masked model", fraction("masked_adaptive")])
    }
    return ProbeOutput(json: .object(json), table: table)
  }
}

extension AttackProbe {
  public static let kind = ProbeKind(
    name: "attack", summary: "robust accuracy under an attack plugin; with --mask also through the mask (transfer, adaptive)",
    plugin: .attack
  ) { arguments, host in
    AttackProbe(attack: try host.registry.makeAttack(arguments.plugin!), spec: arguments.pluginText)
  }
}
