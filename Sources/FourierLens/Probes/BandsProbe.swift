/// Radial and angular energy profiles of the mask, as in the paper, the same net of the
/// grid (`GridNormalizedProfile`: RMS per radial band, sector energy over the mask's
/// isotropic copy's, anisotropy), and with a baseline mask their differences — with 95 % bootstrap confidence intervals whenever either side
/// has several samples (several seeds from `--seeds K`, or several class or image masks),
/// so "adversarial training moves the mask's energy to low frequencies" is a statement
/// with an error bar.
public struct BandsProbe: Probe {
  public var radialBands: Int
  public var angularSectors: Int
  public var metric: RadiusMetric
  public var baseline: LearnedMask?
  public var resamples: Int
  public var name: String { Self.kind.name }

  public init(radialBands: Int = 16, angularSectors: Int = 8, metric: RadiusMetric = .euclidean,
              baseline: LearnedMask? = nil, resamples: Int = 2000) throws {
    try BandMeasures.checkSettings(radial: radialBands, angular: angularSectors, resamples: resamples, probe: Self.kind.name)
    self.radialBands = radialBands
    self.angularSectors = angularSectors
    self.metric = metric
    self.baseline = baseline
    self.resamples = resamples
  }

  /// The measures of every sample mask, as `BandMeasures.vector` rows.
  func profiles(_ mask: LearnedMask) throws -> [[Float]] {
    try BandMeasures.samples(of: mask, radial: radialBands, angular: angularSectors, metric: metric).map(\.vector)
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    guard let mask = context.mask else {
      throw FourierLensError.badOption(name: "--probe bands", reason: "needs --mask DIR (a `flens learn-mask` directory)")
    }
    let own = try profiles(mask)
    let layout = BandMeasures.layout(radial: radialBands, angular: angularSectors)
    let ownMean = Bootstrap.mean(own)
    var json: [String: JSONValue] = [
      "samples": .number(Double(own.count)), "metric": .string(metric.rawValue), "transform": .string(mask.transform.rawValue),
      "angular_span_deg": .number(mask.transform == .dct ? 90 : 180),
    ]
    for part in layout { json[part.measure.rawValue] = BandMeasures.json(ownMean, part) }
    var baseMean: [Float]?, difference: [Float]?, interval: (low: [Float], high: [Float])?
    if let baseline {
      guard baseline.shape == mask.shape, baseline.transform == mask.transform else {
        throw FourierLensError.shapeMismatch("baseline mask \(baseline.directory) is \(baseline.transform.rawValue) \(baseline.shape), the mask is \(mask.transform.rawValue) \(mask.shape)")
      }
      let base = try profiles(baseline)
      let mean = Bootstrap.mean(base)
      let d = zip(ownMean, mean).map { $0 - $1 }
      if own.count > 1 || base.count > 1 {
        interval = Bootstrap.differenceInterval(own, base, resamples: resamples, seed: context.seed)
      }
      json["baseline"] = .string(baseline.directory)
      json["baseline_samples"] = .number(Double(base.count))
      for part in layout {
        json[part.measure.rawValue + "_difference"] = BandMeasures.json(d, part)
        if let interval { json[part.measure.rawValue + "_difference_ci"] = BandMeasures.json(low: interval.low, high: interval.high, part) }
      }
      (baseMean, difference) = (mean, d)
    }
    var table = CSVTable(header: ["profile", "band", "energy", "baseline", "difference", "ci_low", "ci_high"])
    func cell(_ v: Float?) -> String { v.map { $0.isNaN ? "" : "\($0)" } ?? "" }
    for part in layout {
      for (band, i) in part.range.enumerated() {
        table.append([part.measure.rawValue, "\(band)", cell(ownMean[i]), cell(baseMean?[i]), cell(difference?[i]),
                      cell(interval?.low[i]), cell(interval?.high[i])])
      }
    }
    return ProbeOutput(json: .object(json), table: table)
  }
}

extension BandsProbe {
  public static let kind = ProbeKind(
    name: "bands", summary: "band energies of --mask, differences vs --baseline with 95 % bootstrap intervals",
    parameters: [
      .radialBands(default: 16),
      .angularSectors(default: 8),
      .radiusMetric,
    ]
  ) { a, host in
    try BandsProbe(radialBands: a.int("radial")!, angularSectors: a.int("angular")!,
                   metric: RadiusMetric(rawValue: a.text("metric")!)!, baseline: host.baseline)
  }
}
