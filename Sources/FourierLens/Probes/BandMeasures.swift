/// What the `bands` probe and the report measure of one mask sample (one seed, class or
/// image mask): the paper's raw band energies and low-frequency share, and the profiles
/// net of the grid (`GridNormalizedProfile`). Opposite directions are folded, as a real
/// image's spectrum is symmetric. `vector` lays them out as one row, which is what the
/// bootstrap resamples and averages; means of the anisotropy are means of each sample's.
public struct BandMeasures: Equatable, Sendable {
  public var radial: [Float]
  public var angular: [Float]
  /// Squared energy in the lowest quarter of the radial bands (at least one band).
  public var lowFrequencyShare: Float
  public var radialNormalized: [Float]
  public var angularNormalized: [Float]
  public var anisotropy: Float

  public init(of sample: Tensor, radial: Int, angular: Int, metric: RadiusMetric, transform: TransformKind) throws {
    let raw = try FrequencyBands.profile(sample, radial: radial, angular: angular, metric: metric, foldOpposite: true,
                                         transform: transform)
    let normalized = try FrequencyBands.gridNormalizedProfile(sample, radial: radial, angular: angular, metric: metric,
                                                              foldOpposite: true, transform: transform)
    self.radial = raw.radial
    self.angular = raw.angular
    lowFrequencyShare = raw.radial.prefix(Self.lowBands(radial)).reduce(0) { $0 + $1 * $1 }
    radialNormalized = normalized.radial
    angularNormalized = normalized.angular
    anisotropy = normalized.anisotropy
  }

  /// Reads back a `vector` of `radial` bands and `angular` sectors.
  public init(vector v: [Float], radial r: Int, angular a: Int) {
    precondition(v.count == Self.length(radial: r, angular: a))
    radial = Array(v[0..<r])
    angular = Array(v[r..<(r + a)])
    lowFrequencyShare = v[r + a]
    radialNormalized = Array(v[(r + a + 1)..<(2 * r + a + 1)])
    angularNormalized = Array(v[(2 * r + a + 1)..<(2 * r + 2 * a + 1)])
    anisotropy = v[2 * r + 2 * a + 1]
  }

  public var vector: [Float] { radial + angular + [lowFrequencyShare] + radialNormalized + angularNormalized + [anisotropy] }

  public static func length(radial: Int, angular: Int) -> Int { layout(radial: radial, angular: angular).last!.range.upperBound }

  /// The range of `measure` in a vector of `radial` bands and `angular` sectors.
  public static func range(of measure: BandMeasure, radial: Int, angular: Int) -> Range<Int> {
    layout(radial: radial, angular: angular).first { $0.measure == measure }!.range
  }

  /// The measures in `vector` order, each with its range in the vector.
  public static func layout(radial: Int, angular: Int) -> [(measure: BandMeasure, range: Range<Int>)] {
    var start = 0
    return BandMeasure.allCases.map { measure in
      let count = measure.isScalar ? 1 : (measure.isRadial ? radial : angular)
      defer { start += count }
      return (measure, start..<(start + count))
    }
  }

  /// One measure of a `vector` as JSON: a number for a scalar measure, else a list.
  public static func json(_ v: [Float], _ part: (measure: BandMeasure, range: Range<Int>)) -> JSONValue {
    part.measure.isScalar ? .number(Double(v[part.range.lowerBound])) : JSONValue.numbers(v[part.range])
  }

  /// One measure's intervals as JSON: a [low, high] pair for a scalar measure, else a list of pairs.
  public static func json(low: [Float], high: [Float], _ part: (measure: BandMeasure, range: Range<Int>)) -> JSONValue {
    let pairs = part.range.map { JSONValue.numbers([low[$0], high[$0]]) }
    return part.measure.isScalar ? pairs[0] : .array(pairs)
  }

  /// The settings every probe of band measures takes (`bands`, `gradient-spectrum`), checked.
  static func checkSettings(radial: Int, angular: Int, resamples: Int, probe: String) throws {
    guard radial >= 1, angular >= 1, resamples >= 100 else {
      throw FourierLensError.badOption(name: probe, reason: "needs radial ≥ 1, angular ≥ 1 and resamples ≥ 100")
    }
  }

  /// The number of lowest radial bands whose squared energy is the low-frequency share.
  public static func lowBands(_ radial: Int) -> Int { max(1, radial / 4) }

  /// Every sample of a learned mask.
  public static func samples(of mask: LearnedMask, radial: Int, angular: Int, metric: RadiusMetric) throws -> [BandMeasures] {
    try mask.samples().map {
      try BandMeasures(of: Tensor(shape: mask.shape, data: $0), radial: radial, angular: angular, metric: metric,
                       transform: mask.transform)
    }
  }
}

/// One measure of `BandMeasures`, named by its JSON key, in `vector` order.
public enum BandMeasure: String, CaseIterable, Sendable {
  case radial, angular
  case lowFrequencyShare = "low_frequency_share"
  case radialNormalized = "radial_normalized"
  case angularNormalized = "angular_normalized"
  case anisotropy

  /// One number rather than one per band or sector.
  public var isScalar: Bool { self == .lowFrequencyShare || self == .anisotropy }
  /// One value per radial band.
  public var isRadial: Bool { self == .radial || self == .radialNormalized }
  /// One value per angular sector.
  public var isAngular: Bool { self == .angular || self == .angularNormalized }
}
