/// Accuracy under a corruption (an augmentation plugin used as one) at several severities,
/// with and without the mask.
public struct CorruptionProbe: Probe {
  /// One corruption per severity, with the label that names the severity ("sigma=0.05").
  public let severities: [(label: String, corruption: Augmentation)]
  public let corruptionName: String
  public var name: String { Self.kind.name + "-" + corruptionName }

  public init(name: String, severities: [(label: String, corruption: Augmentation)]) {
    precondition(!severities.isEmpty)
    corruptionName = name
    self.severities = severities
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let masked = try context.maskedModel()
    var table = CSVTable(header: masked == nil ? ["severity", "accuracy"] : ["severity", "accuracy", "masked_accuracy"])
    var rows: [JSONValue] = []
    for (s, entry) in severities.enumerated() {
      let corrupt: (ImageBatch, Int) throws -> Tensor = { batch, index in
        var images = batch.images
        try entry.corruption.apply(&images, seed: SeededGenerator.derive(SeededGenerator.derive(context.seed, UInt64(s)), UInt64(index)))
        guard images.shape == batch.images.shape, images.isFinite else {
          throw FourierLensError.plugin(library: entry.corruption.name, reason: "changed the batch's shape or wrote non-finite values")
        }
        return images
      }
      let plain = try ProbeEvaluation.accuracy(of: context.model, on: context.dataset, batchSize: context.batchSize, transform: corrupt)
      var row: [String: JSONValue] = ["severity": .string(entry.label), "accuracy": .number(Double(plain.accuracy))]
      if let masked {
        let m = try ProbeEvaluation.accuracy(of: masked, on: context.dataset, batchSize: context.batchSize, transform: corrupt)
        row["masked_accuracy"] = .number(Double(m.accuracy))
        table.append([entry.label, plain.accuracy, m.accuracy])
      } else {
        table.append([entry.label, plain.accuracy])
      }
      rows.append(.object(row))
    }
    return ProbeOutput(json: ["corruption": .string(corruptionName), "count": .number(Double(context.dataset.info.count)),
                              "severities": .array(rows)], table: table)
  }
}

extension CorruptionProbe {
  public static let kind = ProbeKind(
    name: "corruption", summary: "accuracy under an augmentation used as a corruption; 'a|b|c' values sweep severities",
    plugin: .augmentation
  ) { arguments, host in
    let spec = arguments.plugin!
    let severities = try ProbeFactory.expandSweeps(spec).map { s -> (label: String, corruption: Augmentation) in
      let label = s.options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
      return (label.isEmpty ? "default" : label, try host.registry.makeAugmentation(s))
    }
    return CorruptionProbe(name: spec.name, severities: severities)
  }
}
