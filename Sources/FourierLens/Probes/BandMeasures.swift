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

  /// The measures in `vector` order: each entry's name (the JSON key) and its range in the vector;
  /// scalars (`low_frequency_share`, `anisotropy`) have ranges of one.
  public static func layout(radial r: Int, angular a: Int) -> [(name: String, range: Range<Int>, isScalar: Bool)] {
    let parts = [("radial", r, false), ("angular", a, false), ("low_frequency_share", 1, true),
                 ("radial_normalized", r, false), ("angular_normalized", a, false), ("anisotropy", 1, true)]
    var start = 0
    return parts.map { name, count, isScalar in
      defer { start += count }
      return (name, start..<(start + count), isScalar)
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
