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

  func range(_ measure: BandMeasure) -> Range<Int> {
    BandMeasures.range(of: measure, radial: radialBands, angular: angularSectors)
  }
  func part(_ measure: BandMeasure) -> [Double] { Array(values[range(measure)]) }
  func partInterval(_ measure: BandMeasure) -> [ClosedRange<Double>?]? { intervals.map { Array($0[range(measure)]) } }

  public var radial: [Double] { part(.radial) }
  public var angular: [Double] { part(.angular) }
  public var lowFrequencyShare: Double { part(.lowFrequencyShare)[0] }
  public var radialNormalized: [Double] { part(.radialNormalized) }
  public var angularNormalized: [Double] { part(.angularNormalized) }
  public var anisotropy: Double { part(.anisotropy)[0] }
  public var radialInterval: [ClosedRange<Double>?]? { partInterval(.radial) }
  public var angularInterval: [ClosedRange<Double>?]? { partInterval(.angular) }
  public var lowFrequencyShareInterval: ClosedRange<Double>? { partInterval(.lowFrequencyShare)?[0] ?? nil }
  public var radialNormalizedInterval: [ClosedRange<Double>?]? { partInterval(.radialNormalized) }
  public var angularNormalizedInterval: [ClosedRange<Double>?]? { partInterval(.angularNormalized) }
  public var anisotropyInterval: ClosedRange<Double>? { partInterval(.anisotropy)?[0] ?? nil }
}

/// Radial and angular band-energy profiles of every model's mask (raw, as in the paper,
/// and net of the grid), and the differences of conditions against the baseline's.
///
/// A condition is a kind of training: its entries are the networks trained that way
/// (`ReportEntry.condition`: `NAME@k` is network k of NAME; any other entry is a condition
/// of one network). Each sample of a network (mask seed, or class/image mask) is profiled
/// on its own (`BandMeasures`); a network's profile is the mean over its samples, with a
/// 95 % percentile-bootstrap interval over them; a condition's is the mean over its
/// networks, and its intervals and those of its difference from the baseline's condition
/// are hierarchical (`Bootstrap.hierarchicalDifferenceInterval`: networks, then samples
/// within each). With one network per condition they cover only that network's samples.
/// Undefined measures (NaN: an empty sector) have undefined intervals.
public struct BandComparison: Sendable {
  public struct Profile: Sendable {
    public var samples: Int
    public var measured: MeasuredBands
  }

  public struct Condition: Sendable {
    public var name: String
    /// Its entries (networks), in entry order.
    public var members: [Int]
    public var profile: MeasuredBands
    /// Against the baseline's condition; nil for the baseline's and for incomparable ones.
    public var difference: MeasuredBands?
    /// How many networks it has.
    public var networks: Int { members.count }
  }

  public var settings: BandSettings
  public var baseline: Int
  /// One per entry (network).
  public var profiles: [Profile]
  public var conditions: [Condition]
  /// The condition of every entry.
  public var conditionOf: [Int]
  public var baselineCondition: Int { conditionOf[baseline] }
  /// One per entry: its condition's difference; nil for the baseline's condition and for
  /// conditions that cannot be compared with it.
  public var differences: [MeasuredBands?] { conditionOf.map { conditions[$0].difference } }
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
    let (resamples, seed) = (settings.resamples, settings.seed)
    profiles = sampleSets.map { set in
      let interval = set.count > 1 ? Bootstrap.hierarchicalInterval([set], resamples: resamples, seed: seed) : nil
      return Profile(samples: set.count, measured: MeasuredBands(values: Bootstrap.mean(set), intervals: interval,
                                                                  radial: r, angular: a))
    }
    var names: [String] = [], conditionOf: [Int] = []
    for e in entries {
      if let k = names.firstIndex(of: e.condition) { conditionOf.append(k) } else { names.append(e.condition); conditionOf.append(names.count - 1) }
    }
    self.conditionOf = conditionOf
    var incomparable: [Int: String] = [:]
    let base = entries[baseline].mask
    for (i, e) in entries.enumerated() where conditionOf[i] != conditionOf[baseline] {
      if let reason = Self.incompatibility(e.mask, base) { incomparable[i] = reason }
    }
    self.incomparable = incomparable
    func networks(_ c: Int) -> Bootstrap.Networks { conditionOf.indices.filter { conditionOf[$0] == c }.map { sampleSets[$0] } }
    let baseNetworks = networks(conditionOf[baseline])
    conditions = names.indices.map { c in
      let members = conditionOf.indices.filter { conditionOf[$0] == c }
      let own = networks(c)
      let varies = own.count > 1 || own[0].count > 1
      let profile = MeasuredBands(values: Bootstrap.mean(networks: own),
                                  intervals: varies ? Bootstrap.hierarchicalInterval(own, resamples: resamples, seed: seed) : nil,
                                  radial: r, angular: a)
      var difference: MeasuredBands?
      if c != conditionOf[baseline], !members.contains(where: { incomparable[$0] != nil }) {
        let interval = varies || baseNetworks.count > 1 || baseNetworks[0].count > 1
          ? Bootstrap.hierarchicalDifferenceInterval(own, baseNetworks, resamples: resamples, seed: seed) : nil
        difference = MeasuredBands(values: zip(Bootstrap.mean(networks: own), Bootstrap.mean(networks: baseNetworks)).map { $0 - $1 },
                                   intervals: interval, radial: r, angular: a)
      }
      return Condition(name: names[c], members: members, profile: profile, difference: difference)
    }
  }

  /// Whether every condition has several networks (intervals cover networks), none has
  /// (intervals cover the samples of one network only), or some have.
  public enum Coverage: Sendable { case networks, oneNetworkEach, mixed }

  public var coverage: Coverage {
    if conditions.allSatisfy({ $0.networks > 1 }) { return .networks }
    if conditions.allSatisfy({ $0.networks == 1 }) { return .oneNetworkEach }
    return .mixed
  }

  /// Why two masks' profiles cannot be subtracted (nil when they can).
  static func incompatibility(_ a: LearnedMask, _ b: LearnedMask) -> String? {
    if a.transform != b.transform { return "its mask is \(a.transform.rawValue), the baseline's is \(b.transform.rawValue)" }
    let pa = Array(a.shape.suffix(2)), pb = Array(b.shape.suffix(2))
    if pa != pb { return "its mask is \(pa[0])×\(pa[1]), the baseline's is \(pb[0])×\(pb[1])" }
    return nil
  }
}
