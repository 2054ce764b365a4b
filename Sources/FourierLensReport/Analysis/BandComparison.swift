import FourierLens

/// How band energies are measured for a report (as `flens bands` and the bands probe:
/// Euclidean radius, opposite directions folded).
public struct BandSettings: Equatable, Sendable {
  public var radial: Int = 16
  public var angular: Int = 8
  public var metric: RadiusMetric = .euclidean
  /// Bootstrap resamples for the 95 % intervals.
  public var resamples: Int = 2000
  /// Seed of the bootstrap (the same inputs give the same intervals).
  public var seed: UInt64 = 0

  public init(radial: Int = 16, angular: Int = 8) {
    self.radial = radial
    self.angular = angular
  }

  /// The number of lowest radial bands whose squared energy is the low-frequency share.
  public var lowBands: Int { max(1, radial / 4) }
}

/// Radial and angular band-energy profiles of every model's mask, and their differences
/// against the baseline's, with 95 % percentile-bootstrap intervals whenever a side has
/// several samples (seeds of a `--seeds K` run, or class/image masks).
///
/// Each sample is profiled on its own (energy of a band = L2 norm of the L2-normalised
/// mask inside it, as in the paper); a model's profile is the mean over its samples. The
/// low-frequency share is Σ of the squared energies of the lowest quarter of radial bands:
/// the fraction of the mask's squared L2 norm at low frequencies.
public struct BandComparison: Sendable {
  public struct Profile: Sendable {
    public var samples: Int
    public var radial: [Double]
    public var angular: [Double]
    public var lowFrequencyShare: Double
    /// 95 % intervals of the means (only with several samples).
    public var radialInterval: [ClosedRange<Double>]?
    public var angularInterval: [ClosedRange<Double>]?
    public var lowFrequencyShareInterval: ClosedRange<Double>?
  }

  public struct Difference: Sendable {
    public var radial: [Double]
    public var angular: [Double]
    public var lowFrequencyShare: Double
    /// 95 % intervals of the differences of means (only when a side has several samples).
    public var radialInterval: [ClosedRange<Double>]?
    public var angularInterval: [ClosedRange<Double>]?
    public var lowFrequencyShareInterval: ClosedRange<Double>?
  }

  public var settings: BandSettings
  public var baseline: Int
  /// One per entry.
  public var profiles: [Profile]
  /// One per entry: nil for the baseline itself and for masks that cannot be compared with it.
  public var differences: [Difference?]
  /// Why an entry has no difference (other transform or plane size), by entry index.
  public var incomparable: [Int: String]

  public init(entries: [ReportEntry], baseline: Int, settings: BandSettings) throws {
    guard settings.radial >= 1, settings.angular >= 1 else {
      throw FourierLensError.badOption(name: "--radial/--angular", reason: "need at least 1 band and 1 sector")
    }
    self.settings = settings
    self.baseline = baseline
    let r = settings.radial, a = settings.angular
    var sampleSets: [[[Float]]] = []
    for e in entries { sampleSets.append(try Self.sampleProfiles(e.mask, settings)) }

    func split(_ v: [Float]) -> (radial: [Double], angular: [Double], low: Double) {
      (v[0..<r].map(Double.init), v[r..<(r + a)].map(Double.init), Double(v[r + a]))
    }
    func ranges(_ lo: [Float], _ hi: [Float]) -> (radial: [ClosedRange<Double>], angular: [ClosedRange<Double>], low: ClosedRange<Double>) {
      let l = split(lo), h = split(hi)
      return (zip(l.radial, h.radial).map { $0...$1 }, zip(l.angular, h.angular).map { $0...$1 }, l.low...h.low)
    }
    let dimension = r + a + 1
    profiles = sampleSets.map { set in
      let m = split(Bootstrap.mean(set))
      var p = Profile(samples: set.count, radial: m.radial, angular: m.angular, lowFrequencyShare: m.low)
      if set.count > 1 {
        // The interval of mean(set) − mean({0}) is the interval of the mean.
        let i = Bootstrap.differenceInterval(set, [[Float](repeating: 0, count: dimension)],
                                             resamples: settings.resamples, seed: settings.seed)
        let rr = ranges(i.low, i.high)
        (p.radialInterval, p.angularInterval, p.lowFrequencyShareInterval) = (rr.radial, rr.angular, rr.low)
      }
      return p
    }
    var differences: [Difference?] = []
    var incomparable: [Int: String] = [:]
    let base = entries[baseline].mask
    for (i, e) in entries.enumerated() {
      guard i != baseline else { differences.append(nil); continue }
      if let reason = Self.incompatibility(e.mask, base) {
        incomparable[i] = reason
        differences.append(nil)
        continue
      }
      let own = sampleSets[i], other = sampleSets[baseline]
      let d = split(zip(Bootstrap.mean(own), Bootstrap.mean(other)).map { $0 - $1 })
      var diff = Difference(radial: d.radial, angular: d.angular, lowFrequencyShare: d.low)
      if own.count > 1 || other.count > 1 {
        let interval = Bootstrap.differenceInterval(own, other, resamples: settings.resamples, seed: settings.seed)
        let rr = ranges(interval.low, interval.high)
        (diff.radialInterval, diff.angularInterval, diff.lowFrequencyShareInterval) = (rr.radial, rr.angular, rr.low)
      }
      differences.append(diff)
    }
    self.differences = differences
    self.incomparable = incomparable
  }

  /// Why two masks' profiles cannot be subtracted (nil when they can).
  static func incompatibility(_ a: LearnedMask, _ b: LearnedMask) -> String? {
    if a.transform != b.transform { return "its mask is \(a.transform.rawValue), the baseline's is \(b.transform.rawValue)" }
    let pa = Array(a.shape.suffix(2)), pb = Array(b.shape.suffix(2))
    if pa != pb { return "its mask is \(pa[0])×\(pa[1]), the baseline's is \(pb[0])×\(pb[1])" }
    return nil
  }

  /// Radial energies, angular energies and the low-frequency share of every sample.
  static func sampleProfiles(_ mask: LearnedMask, _ s: BandSettings) throws -> [[Float]] {
    try mask.samples().map { sample in
      let p = try FrequencyBands.profile(Tensor(shape: mask.shape, data: sample), radial: s.radial, angular: s.angular,
                                         metric: s.metric, foldOpposite: true, transform: mask.transform)
      let low = p.radial.prefix(s.lowBands).reduce(Float(0)) { $0 + $1 * $1 }
      return p.radial + p.angular + [low]
    }
  }
}
