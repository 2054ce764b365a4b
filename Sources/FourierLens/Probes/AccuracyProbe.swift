/// Clean accuracy, and with a mask: accuracy through the mask and through its complement
/// 1 − 1[M > 0] (the paper's reliability check: a mask that matters leaves little for
/// its complement).
public struct AccuracyProbe: Probe {
  public let name = "accuracy"
  public init() {}

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let clean = try ProbeEvaluation.accuracy(of: context.model, on: context.dataset, batchSize: context.batchSize)
    var json: [String: JSONValue] = ["clean_accuracy": .number(Double(clean.accuracy)), "count": .number(Double(clean.count))]
    var table = CSVTable(header: ["condition", "accuracy", "count"])
    table.append(["clean", clean.accuracy, clean.count])
    if let mask = context.mask, let masked = try context.maskedModel() {
      let m = try ProbeEvaluation.accuracy(of: masked, on: context.dataset, batchSize: context.batchSize)
      let complement = try MaskedClassifier(base: context.model, mask: mask.values.map { $0 > 0 ? 0 : 1 },
                                            transform: mask.transform, layout: mask.layout)
      let c = try ProbeEvaluation.accuracy(of: complement, on: context.dataset, batchSize: context.batchSize)
      json["masked_accuracy"] = .number(Double(m.accuracy))
      json["complementary_accuracy"] = .number(Double(c.accuracy))
      table.append(["masked", m.accuracy, m.count])
      table.append(["complementary", c.accuracy, c.count])
    }
    return ProbeOutput(json: .object(json), table: table)
  }
}
