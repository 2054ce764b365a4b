/// Which frequencies does the model need? Accuracy of low-pass and high-pass filtered
/// inputs as the cut-off radius grows, and of inputs reduced to (or deprived of) one
/// angular sector: the direction the model relies on. Filters act on the model's
/// normalised input, like masks. DC (the mean) has no direction and is kept by the
/// sector filters.
public struct PassbandProbe: Probe {
  public var radialBands: Int
  public var angularSectors: Int
  public var transform: TransformKind
  public var name: String { Self.kind.name }

  public init(radialBands: Int = 8, angularSectors: Int = 8, transform: TransformKind = .dft) throws {
    guard radialBands >= 1, angularSectors >= 1 else {
      throw FourierLensError.badOption(name: "passband", reason: "radial and angular counts must be ≥ 1")
    }
    self.radialBands = radialBands
    self.angularSectors = angularSectors
    self.transform = transform
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let shape = context.dataset.info.shape
    let (h, w) = (shape[1], shape[2])
    let radial = try FrequencyBands.radialBandIndex(height: h, width: w, bands: radialBands, metric: .euclidean, transform: transform)
    let sectors = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: angularSectors, foldOpposite: true,
                                                        transform: transform)
    func accuracy(_ keep: (Int) -> Bool) throws -> Float {
      let mask = (0..<(h * w)).map { keep($0) ? Float(1) : 0 }
      let model = try MaskedClassifier(base: context.model, mask: mask, transform: transform, layout: .shared)
      return try ProbeEvaluation.accuracy(of: model, on: context.dataset, batchSize: context.batchSize).accuracy
    }
    let progress = ProgressReporter(label: "passband", total: 2 * radialBands + 2 * angularSectors, unit: "filters",
                                    quiet: !context.showsProgress)
    var table = CSVTable(header: ["filter", "band", "accuracy"])
    var lowpass: [Float] = [], highpass: [Float] = [], only: [Float] = [], without: [Float] = []
    for b in 1...radialBands {
      lowpass.append(try accuracy { radial[$0] < b })           // bands [0, b)
      table.append(["lowpass", b, lowpass.last!])
      highpass.append(try accuracy { radial[$0] >= b - 1 })     // bands [b−1, N)
      table.append(["highpass", b - 1, highpass.last!])
      progress.advance(by: 2)
    }
    for s in 0..<angularSectors {
      only.append(try accuracy { sectors[$0] == s || sectors[$0] == -1 })
      table.append(["sector_only", s, only.last!])
      without.append(try accuracy { sectors[$0] != s })
      table.append(["sector_removed", s, without.last!])
      progress.advance(by: 2)
    }
    progress.finish()
    let span = transform == .dct ? 90.0 : 180.0
    return ProbeOutput(json: [
      "transform": .string(transform.rawValue), "count": .number(Double(context.dataset.info.count)),
      "radial_bands": .number(Double(radialBands)),
      "lowpass_upper_radius": JSONValue.numbers((1...radialBands).map { Double($0) / Double(radialBands) }),
      "lowpass_accuracy": JSONValue.numbers(lowpass),
      "highpass_lower_radius": JSONValue.numbers((0..<radialBands).map { Double($0) / Double(radialBands) }),
      "highpass_accuracy": JSONValue.numbers(highpass),
      "sector_start_deg": JSONValue.numbers((0..<angularSectors).map { span * Double($0) / Double(angularSectors) }),
      "sector_only_accuracy": JSONValue.numbers(only),
      "sector_removed_accuracy": JSONValue.numbers(without),
      "radius_unit": "fraction of the distance from DC to the spectrum's corner",
    ], table: table)
  }
}

extension PassbandProbe {
  public static let kind = ProbeKind(
    name: "passband", summary: "low/high-pass and angular-sector accuracy curves",
    parameters: [
      ProbeParameter("radial", .integer, default: "8", help: "radial cut-offs"),
      .angularSectors(default: 8),
      ProbeParameter("transform", .choice(["dft", "dct"]), default: "dft", help: "the frequency transform"),
    ]
  ) { a, _ in
    try PassbandProbe(radialBands: a.int("radial")!, angularSectors: a.int("angular")!,
                      transform: TransformKind(rawValue: a.text("transform")!)!)
  }
}
