/// Clean accuracy, and with a mask: accuracy through the mask and through its complement
/// 1 − 1[M > 0] (the paper's reliability check: a mask that matters leaves little for
/// its complement), flagged as degenerate when that complement keeps (almost) nothing;
/// and the threshold-free curves: accuracy keeping only the top-k % of frequencies by
/// mask value, and keeping all but them.
public struct AccuracyProbe: Probe {
  public var name: String { Self.kind.name }
  public init() {}

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let clean = try ProbeEvaluation.accuracy(of: context.model, on: context.dataset, batchSize: context.batchSize)
    var json: [String: JSONValue] = ["clean_accuracy": .number(Double(clean.accuracy)), "count": .number(Double(clean.count))]
    var table = CSVTable(header: ["condition", "accuracy", "count"])
    table.append(["clean", clean.accuracy, clean.count])
    guard let mask = context.mask, let masked = try context.maskedModel() else { return ProbeOutput(json: .object(json), table: table) }
    func accuracy(through values: [Float]) throws -> Float {
      let model = try MaskedClassifier(base: context.model, mask: values, transform: mask.transform, layout: mask.layout)
      return try ProbeEvaluation.accuracy(of: model, on: context.dataset, batchSize: context.batchSize).accuracy
    }
    let m = try ProbeEvaluation.accuracy(of: masked, on: context.dataset, batchSize: context.batchSize)
    let c = try accuracy(through: MaskReliability.complement(mask.values))
    json["masked_accuracy"] = .number(Double(m.accuracy))
    json["complementary_accuracy"] = .number(Double(c))
    json["complement_kept_fraction"] = .number(MaskReliability.complementKeptFraction(mask.values))
    json["complementary_degenerate"] = .bool(MaskReliability.isDegenerate(mask.values))
    table.append(["masked", m.accuracy, m.count])
    table.append([MaskReliability.isDegenerate(mask.values) ? "complementary (degenerate)" : "complementary", c, m.count])
    var top: [JSONValue] = [], allBut: [JSONValue] = [], keptFractions: [JSONValue] = []
    for k in MaskReliability.topPercents {
      let keep = try MaskReliability.keepTop(percent: k, of: mask.values, shape: mask.shape, transform: mask.transform)
      let a = try accuracy(through: keep), b = try accuracy(through: keep.map { 1 - $0 })
      top.append(.number(Double(a)))
      allBut.append(.number(Double(b)))
      keptFractions.append(.number(Double(keep.reduce(0, +)) / Double(keep.count)))
      table.append(["top \(k.formatted) %", a, m.count])
      table.append(["all but top \(k.formatted) %", b, m.count])
    }
    json["top_k_percent"] = .array(MaskReliability.topPercents.map { .number($0) })
    json["top_k_kept_fraction"] = .array(keptFractions)
    json["top_k_accuracy"] = .array(top)
    json["all_but_top_k_accuracy"] = .array(allBut)
    return ProbeOutput(json: .object(json), table: table)
  }
}

private extension Double {
  /// "5" for 5.0, "2.5" otherwise.
  var formatted: String { self == rounded() ? String(Int(self)) : String(self) }
}

extension AccuracyProbe {
  public static let kind = ProbeKind(
    name: "accuracy", summary: "clean, masked and complementary-mask accuracy; accuracy keeping only (or all but) the top-k % of frequencies by mask value"
  ) { _, _ in AccuracyProbe() }
}
