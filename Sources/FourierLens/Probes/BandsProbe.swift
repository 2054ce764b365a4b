/// Radial and angular energy profiles of the mask, as in the paper, and with a baseline
/// mask their differences — with 95 % bootstrap confidence intervals whenever either side
/// has several samples (several seeds from `--seeds K`, or several class or image masks),
/// so "adversarial training moves the mask's energy to low frequencies" is a statement
/// with an error bar.
public struct BandsProbe: Probe {
  public var radialBands: Int
  public var angularSectors: Int
  public var metric: RadiusMetric
  public var baseline: LearnedMask?
  public var resamples: Int
  public let name = "bands"

  public init(radialBands: Int = 16, angularSectors: Int = 8, metric: RadiusMetric = .euclidean,
              baseline: LearnedMask? = nil, resamples: Int = 2000) throws {
    guard radialBands >= 1, angularSectors >= 1, resamples >= 100 else {
      throw FourierLensError.badOption(name: "bands", reason: "needs radial ≥ 1, angular ≥ 1 and resamples ≥ 100")
    }
    self.radialBands = radialBands
    self.angularSectors = angularSectors
    self.metric = metric
    self.baseline = baseline
    self.resamples = resamples
  }

  /// Band energies of every sample mask: radial bands, then angular sectors, then the
  /// low-frequency share (squared energy in the lowest quarter of the radial bands).
  func profiles(_ mask: LearnedMask) throws -> [[Float]] {
    try mask.samples().map { sample in
      let p = try FrequencyBands.profile(Tensor(shape: mask.shape, data: sample), radial: radialBands, angular: angularSectors,
                                         metric: metric, foldOpposite: true, transform: mask.transform)
      let quarter = max(1, radialBands / 4)
      let low = p.radial.prefix(quarter).reduce(0) { $0 + $1 * $1 }
      return p.radial + p.angular + [low]
    }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    guard let mask = context.mask else {
      throw FourierLensError.badOption(name: "--probe bands", reason: "needs --mask DIR (a `flens learn-mask` directory)")
    }
    let own = try profiles(mask)
    let r = radialBands, a = angularSectors
    func split(_ v: [Float]) -> (radial: [Float], angular: [Float], low: Float) {
      (Array(v[0..<r]), Array(v[r..<(r + a)]), v[r + a])
    }
    let ownMean = Bootstrap.mean(own)
    var json: [String: JSONValue] = [
      "radial": JSONValue.numbers(split(ownMean).radial), "angular": JSONValue.numbers(split(ownMean).angular),
      "low_frequency_share": .number(Double(split(ownMean).low)), "samples": .number(Double(own.count)),
      "metric": .string(metric.rawValue), "transform": .string(mask.transform.rawValue),
      "angular_span_deg": .number(mask.transform == .dct ? 90 : 180),
    ]
    var table = CSVTable(header: ["profile", "band", "energy", "baseline", "difference", "ci_low", "ci_high"])
    var differenceRows: [(String, Int, Float, Float, Float, Float?, Float?)] = []
    if let baseline {
      guard baseline.shape == mask.shape, baseline.transform == mask.transform else {
        throw FourierLensError.shapeMismatch("baseline mask \(baseline.directory) is \(baseline.transform.rawValue) \(baseline.shape), the mask is \(mask.transform.rawValue) \(mask.shape)")
      }
      let base = try profiles(baseline)
      let baseMean = Bootstrap.mean(base)
      let difference = zip(ownMean, baseMean).map { $0 - $1 }
      let interval = (own.count > 1 || base.count > 1)
        ? Bootstrap.differenceInterval(own, base, resamples: resamples, seed: context.seed) : nil
      let d = split(difference)
      json["baseline"] = .string(baseline.directory)
      json["baseline_samples"] = .number(Double(base.count))
      json["radial_difference"] = JSONValue.numbers(d.radial)
      json["angular_difference"] = JSONValue.numbers(d.angular)
      json["low_frequency_share_difference"] = .number(Double(d.low))
      if let interval {
        let lo = split(interval.low), hi = split(interval.high)
        json["radial_difference_ci"] = .array((0..<r).map { JSONValue.numbers([lo.radial[$0], hi.radial[$0]]) })
        json["angular_difference_ci"] = .array((0..<a).map { JSONValue.numbers([lo.angular[$0], hi.angular[$0]]) })
        json["low_frequency_share_difference_ci"] = JSONValue.numbers([lo.low, hi.low])
      }
      for i in 0..<(r + a + 1) {
        let kind = i < r ? "radial" : (i < r + a ? "angular" : "low_frequency_share")
        let band = i < r ? i : (i < r + a ? i - r : 0)
        differenceRows.append((kind, band, ownMean[i], baseMean[i], difference[i], interval?.low[i], interval?.high[i]))
      }
    } else {
      for i in 0..<(r + a + 1) {
        let kind = i < r ? "radial" : (i < r + a ? "angular" : "low_frequency_share")
        differenceRows.append((kind, i < r ? i : (i < r + a ? i - r : 0), ownMean[i], .nan, .nan, nil, nil))
      }
    }
    for row in differenceRows {
      table.append([row.0, "\(row.1)", "\(row.2)", row.3.isNaN ? "" : "\(row.3)", row.4.isNaN ? "" : "\(row.4)",
                    row.5.map { "\($0)" } ?? "", row.6.map { "\($0)" } ?? ""])
    }
    return ProbeOutput(json: .object(json), table: table)
  }
}

/// Percentile bootstrap over independent samples (seeds, or masks of different images).
public enum Bootstrap {
  public static func mean(_ samples: [[Float]]) -> [Float] {
    var m = [Double](repeating: 0, count: samples[0].count)
    for s in samples { for i in s.indices { m[i] += Double(s[i]) } }
    return m.map { Float($0 / Double(samples.count)) }
  }

  /// 95 % interval of mean(a) − mean(b), resampling each side with replacement.
  public static func differenceInterval(_ a: [[Float]], _ b: [[Float]], resamples: Int, seed: UInt64,
                                        level: Double = 0.95) -> (low: [Float], high: [Float]) {
    var rng = SeededGenerator(seed: seed)
    let d = a[0].count
    var draws = [[Float]](repeating: [], count: d)
    for _ in 0..<resamples {
      let ra = (0..<a.count).map { _ in a[Int(rng.next() % UInt64(a.count))] }
      let rb = (0..<b.count).map { _ in b[Int(rng.next() % UInt64(b.count))] }
      let ma = mean(ra), mb = mean(rb)
      for i in 0..<d { draws[i].append(ma[i] - mb[i]) }
    }
    let lowRank = Int((Double(resamples) * (1 - level) / 2).rounded(.down))
    let highRank = min(resamples - 1, Int((Double(resamples) * (1 + level) / 2).rounded(.down)))
    var low = [Float](), high = [Float]()
    for i in 0..<d {
      let sorted = draws[i].sorted()
      low.append(sorted[lowRank])
      high.append(sorted[highRank])
    }
    return (low, high)
  }
}
