import Foundation

/// Band profiles net of the grid. On a square grid the raw band energies of any mask
/// carry the grid's own shape: an all-ones mask already has more energy in the diagonal
/// sectors (the corners) and in the outer radial bands (more frequencies there), so raw
/// profiles mix the grid with what the mask prefers. These profiles divide that out.
///
/// Definitions (m_p(k): plane p of the mask at frequency k; e(k) = Σ_p m_p(k)², all planes
/// count as one mask as for the raw energies; bands and sectors exactly as
/// `FrequencyBands`; frequencies in the transform's own convention, `FrequencyBands.frequency`):
///
/// - radial_normalized[b] = energy_b(m) / energy_b(all-ones) = √((Σ_{k∈b} e(k)/n_b) / (Σ_k e(k)/N)):
///   the RMS of the mask in band b relative to its RMS over the whole plane (n_b frequencies
///   in band b, N in the plane). All-ones is 1 in every band.
/// - angular_normalized[s] = energy_s(m) / energy_s(iso(m)), where the isotropic copy
///   iso(m)(k) is the RMS of the mask over the shell of k: all frequencies with exactly the
///   same radius under the band metric (Euclidean: same f_x² + f_y²; L1: same |f_x| + |f_y|;
///   compared as integers). iso(m) has the same total norm as m, so the ratio is
///   √(Σ_{k∈s} e(k) / Σ_{k∈s} ē(shell(k))), ē the mean of e over a shell. Any mask that depends
///   on the radius alone (all-ones, a disk, a Gaussian) is its own isotropic copy: exactly 1.
/// - anisotropy = coefficient of variation of angular_normalized over its defined sectors:
///   population standard deviation / mean (0 for a mask that depends on the radius alone).
///
/// Undefined values are NaN (null in JSON): a band or sector without frequencies (many bands
/// on a small grid), a sector whose shells hold no mask energy at all (its isotropic copy
/// is zero there; then so is the mask), and everything of an all-zero mask. DC is its own
/// shell and in no sector, as for the raw energies. The anisotropy is taken over the defined
/// sectors and is NaN when there are none.
public struct GridNormalizedProfile: Equatable, Sendable {
  public var radial: [Float]
  public var angular: [Float]
  public var anisotropy: Float

  public init(radial: [Float], angular: [Float], anisotropy: Float) {
    self.radial = radial
    self.angular = angular
    self.anisotropy = anisotropy
  }
}

extension FrequencyBands {
  /// The grid-normalised profiles of a mask [..., H, W] in unshifted layout (see `GridNormalizedProfile`).
  public static func gridNormalizedProfile(_ t: Tensor, radial: Int, angular: Int, metric: RadiusMetric = .euclidean,
                                           foldOpposite: Bool = false, transform: TransformKind = .dft) throws -> GridNormalizedProfile {
    let (_, h, w) = try checkValues(t.data, shape: t.shape)
    let bandIndex = try radialBandIndex(height: h, width: w, bands: radial, metric: metric, transform: transform)
    let sectorIndex = try angularSectorIndex(height: h, width: w, sectors: angular, foldOpposite: foldOpposite,
                                             transform: transform)
    let energy = planeEnergy(t.data, plane: h * w)
    let total = energy.reduce(0, +)

    // Radial: RMS per band over RMS of the plane.
    var bandSum = [Double](repeating: 0, count: radial), bandSize = [Int](repeating: 0, count: radial)
    for (k, b) in bandIndex.enumerated() { bandSum[b] += energy[k]; bandSize[b] += 1 }
    let planeMean = total / Double(h * w)
    let radialNormalized = (0..<radial).map { b -> Float in
      guard bandSize[b] > 0, planeMean > 0 else { return .nan }
      return Float((bandSum[b] / Double(bandSize[b]) / planeMean).squareRoot())
    }

    // Angular: the mask's sector energy over its isotropic copy's.
    let shell = (0..<(h * w)).map { k in
      shellKey(row: k / w, column: k % w, height: h, width: w, metric: metric, transform: transform)
    }
    var shellSum: [Int: Double] = [:], shellSize: [Int: Int] = [:]
    for k in shell.indices { shellSum[shell[k], default: 0] += energy[k]; shellSize[shell[k], default: 0] += 1 }
    var sectorSum = [Double](repeating: 0, count: angular), isotropicSum = [Double](repeating: 0, count: angular)
    var sectorSize = [Int](repeating: 0, count: angular)
    for (k, s) in sectorIndex.enumerated() where s >= 0 {
      sectorSum[s] += energy[k]
      isotropicSum[s] += shellSum[shell[k]]! / Double(shellSize[shell[k]]!)
      sectorSize[s] += 1
    }
    let angularNormalized = (0..<angular).map { s -> Float in
      guard sectorSize[s] > 0, isotropicSum[s] > 0 else { return .nan }
      return Float((sectorSum[s] / isotropicSum[s]).squareRoot())
    }
    return GridNormalizedProfile(radial: radialNormalized, angular: angularNormalized,
                                 anisotropy: coefficientOfVariation(angularNormalized))
  }

  /// Population standard deviation / mean of the finite values; NaN when there are none.
  public static func coefficientOfVariation(_ values: [Float]) -> Float {
    let defined = values.filter(\.isFinite).map(Double.init)
    guard !defined.isEmpty else { return .nan }
    let mean = defined.reduce(0, +) / Double(defined.count)
    guard mean > 0 else { return .nan }
    let variance = defined.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(defined.count)
    return Float(variance.squareRoot() / mean)
  }

  /// Σ over planes of the squared values, per frequency of one plane.
  static func planeEnergy(_ values: [Float], plane: Int) -> [Double] {
    var energy = [Double](repeating: 0, count: plane)
    for base in stride(from: 0, to: values.count, by: plane) {
      for k in 0..<plane { energy[k] += Double(values[base + k]) * Double(values[base + k]) }
    }
    return energy
  }

  /// An integer equal for two frequencies exactly when their radii under `metric` are
  /// equal: f_x² + f_y² (Euclidean) or |f_x| + |f_y| (L1). Integers, so that radii such as
  /// √5 compare exactly rather than up to rounding.
  static func shellKey(row: Int, column: Int, height: Int, width: Int, metric: RadiusMetric,
                       transform: TransformKind) -> Int {
    let (x, y) = frequency(row: row, column: column, height: height, width: width, transform: transform)
    let fx = Int(x), fy = Int(y)
    return metric == .euclidean ? fx * fx + fy * fy : abs(fx) + abs(fy)
  }
}
