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
  public var lowBands: Int { BandMeasures.lowBands(radial) }
}

/// Band measures (`BandMeasures`: the paper's raw energies, the low-frequency share and the
/// profiles net of the grid) in `BandMeasures.vector` layout, with 95 % intervals when
/// there are several samples.
public struct MeasuredBands: Sendable {
  public var values: [Double]
  /// Per value; nil where the measure is undefined (NaN).
  public var intervals: [ClosedRange<Double>?]?
  let radialBands: Int
  let angularSectors: Int

  init(values: [Float], intervals: (low: [Float], high: [Float])?, radial: Int, angular: Int) {
    self.values = values.map(Double.init)
    self.intervals = intervals.map { i in
      zip(i.low, i.high).map { $0.isNaN || $1.isNaN ? nil : Double($0)...Double(max($0, $1)) }
    }
    radialBands = radial
    angularSectors = angular
  }

  func range(_ name: String) -> Range<Int> {
    BandMeasures.layout(radial: radialBands, angular: angularSectors).first { $0.name == name }!.range
  }
  func part(_ name: String) -> [Double] { Array(values[range(name)]) }
  func partInterval(_ name: String) -> [ClosedRange<Double>?]? { intervals.map { Array($0[range(name)]) } }

  public var radial: [Double] { part("radial") }
  public var angular: [Double] { part("angular") }
  public var lowFrequencyShare: Double { part("low_frequency_share")[0] }
  public var radialNormalized: [Double] { part("radial_normalized") }
  public var angularNormalized: [Double] { part("angular_normalized") }
  public var anisotropy: Double { part("anisotropy")[0] }
  public var radialInterval: [ClosedRange<Double>?]? { partInterval("radial") }
  public var angularInterval: [ClosedRange<Double>?]? { partInterval("angular") }
  public var lowFrequencyShareInterval: ClosedRange<Double>? { partInterval("low_frequency_share")?[0] ?? nil }
  public var radialNormalizedInterval: [ClosedRange<Double>?]? { partInterval("radial_normalized") }
  public var angularNormalizedInterval: [ClosedRange<Double>?]? { partInterval("angular_normalized") }
  public var anisotropyInterval: ClosedRange<Double>? { partInterval("anisotropy")?[0] ?? nil }
}

/// Radial and angular band-energy profiles of every model's mask (raw, as in the paper,
/// and net of the grid), and their differences against the baseline's, with 95 %
/// percentile-bootstrap intervals whenever a side has several samples (seeds of a
/// `--seeds K` run, or class/image masks).
///
/// Each sample is profiled on its own (`BandMeasures`); a model's profile is the mean over
/// its samples. Undefined measures (NaN: an empty sector) have undefined intervals.
public struct BandComparison: Sendable {
  public struct Profile: Sendable {
    public var samples: Int
    public var measured: MeasuredBands
  }

  public var settings: BandSettings
  public var baseline: Int
  /// One per entry.
  public var profiles: [Profile]
  /// One per entry: nil for the baseline itself and for masks that cannot be compared with it.
  public var differences: [MeasuredBands?]
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
    for e in entries {
      sampleSets.append(try BandMeasures.samples(of: e.mask, radial: r, angular: a, metric: settings.metric).map(\.vector))
    }
    let dimension = BandMeasures.length(radial: r, angular: a)
    profiles = sampleSets.map { set in
      // The interval of mean(set) − mean({0}) is the interval of the mean.
      let interval = set.count > 1
        ? Bootstrap.differenceInterval(set, [[Float](repeating: 0, count: dimension)], resamples: settings.resamples,
                                       seed: settings.seed) : nil
      return Profile(samples: set.count, measured: MeasuredBands(values: Bootstrap.mean(set), intervals: interval,
                                                                  radial: r, angular: a))
    }
    var differences: [MeasuredBands?] = []
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
      let interval = own.count > 1 || other.count > 1
        ? Bootstrap.differenceInterval(own, other, resamples: settings.resamples, seed: settings.seed) : nil
      differences.append(MeasuredBands(values: zip(Bootstrap.mean(own), Bootstrap.mean(other)).map { $0 - $1 },
                                       intervals: interval, radial: r, angular: a))
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
}
