import Foundation

/// How the distance of a frequency from DC is measured for radial bands.
public enum RadiusMetric: String, Codable, CaseIterable, Sendable {
  /// √(f_x² + f_y²): rings.
  case euclidean
  /// |f_x| + |f_y|: diamonds.
  case l1
}

/// Radial and angular profiles of a mask or spectrum, as in Karantzas et al. (2022).
public struct BandProfile: Codable, Equatable, Sendable {
  /// Band energies from the centre (DC) outwards.
  public var radial: [Float]
  /// Sector energies counter-clockwise from the positive horizontal frequency axis.
  public var angular: [Float]

  public init(radial: [Float], angular: [Float]) {
    self.radial = radial
    self.angular = angular
  }
}

/// Radial bands and angular sectors of the frequency plane, and the band energies of
/// masks and spectra.
///
/// Geometry (DFT). Frequencies are measured in the centred (fftshifted) spectrum: the
/// frequency at unshifted index (r, c) sits at shifted (r', c') = ((r+⌊H/2⌋) mod H,
/// (c+⌊W/2⌋) mod W) and has horizontal frequency f_x = c' − ⌊W/2⌋ and vertical frequency
/// f_y = ⌊H/2⌋ − r' (flipped, because image rows grow downwards, so that "up" is positive).
/// Radial: N bands of equal width in radius from DC (radius 0) to the farthest corner
/// (radius metric(⌊H/2⌋, ⌊W/2⌋)); band b holds radii in [b·R/N, (b+1)·R/N), the corner
/// belongs to the last band. Angular: θ = atan2(f_y, f_x) in [0°, 360°), N sectors of
/// 360°/N, sector 0 starting at the positive f_x axis; with `foldOpposite`, θ and θ+180°
/// are the same direction (the spectrum of a real image is symmetric) and N sectors
/// cover [0°, 180°).
///
/// Geometry (DCT). Coefficient (r, c) has f_x = c and f_y = r, measured from the DC
/// corner; radii go up to metric(H−1, W−1), and the angle covers [0°, 90°] only, so the
/// N sectors divide 90° (`foldOpposite` has nothing to fold and is ignored).
///
/// DC has no direction: it belongs to radial band 0 and to no angular sector (index −1).
public enum FrequencyBands {
  /// Radial band of every frequency, in unshifted layout (H×W, row-major).
  public static func radialBandIndex(height: Int, width: Int, bands: Int, metric: RadiusMetric,
                                     transform: TransformKind = .dft) throws -> [Int] {
    try check(height: height, width: width, count: bands, name: "radial bands")
    let maxRadius = maximumRadius(height: height, width: width, metric: metric, transform: transform)
    var out = [Int](repeating: 0, count: height * width)
    guard maxRadius > 0 else { return out }
    for r in 0..<height {
      for c in 0..<width {
        let (fx, fy) = frequency(row: r, column: c, height: height, width: width, transform: transform)
        let position = radius(fx, fy, metric) / maxRadius * Double(bands)
        out[r * width + c] = min(bands - 1, Int((position + 1e-9).rounded(.down)))
      }
    }
    return out
  }

  /// Angular sector of every frequency, in unshifted layout; −1 for DC.
  public static func angularSectorIndex(height: Int, width: Int, sectors: Int, foldOpposite: Bool = false,
                                        transform: TransformKind = .dft) throws -> [Int] {
    try check(height: height, width: width, count: sectors, name: "angular sectors")
    let span = angularSpan(foldOpposite: foldOpposite, transform: transform) * .pi / 180
    var out = [Int](repeating: -1, count: height * width)
    for r in 0..<height {
      for c in 0..<width {
        let (fx, fy) = frequency(row: r, column: c, height: height, width: width, transform: transform)
        if fx == 0 && fy == 0 { continue }
        var theta = atan2(fy, fx)
        if theta < 0 { theta += 2 * .pi }
        if transform == .dft && foldOpposite && theta >= .pi { theta -= .pi }
        let position = theta / span * Double(sectors)
        var sector = Int((position + 1e-9).rounded(.down))
        // 360° (and, folded, 180°) is the start again; for the DCT, 90° closes the last sector.
        sector = transform == .dct ? min(sector, sectors - 1) : sector % sectors
        out[r * width + c] = sector
      }
    }
    return out
  }

  /// Energy of each radial band of `values` (shape [..., H, W] in unshifted layout).
  public static func radialEnergies(_ values: [Float], shape: [Int], bands: Int, metric: RadiusMetric = .euclidean,
                                    transform: TransformKind = .dft) throws -> [Float] {
    let (_, h, w) = try checkValues(values, shape: shape)
    let index = try radialBandIndex(height: h, width: w, bands: bands, metric: metric, transform: transform)
    return energies(values, index: index, count: bands)
  }

  /// Energy of each angular sector of `values` (shape [..., H, W] in unshifted layout).
  public static func angularEnergies(_ values: [Float], shape: [Int], sectors: Int, foldOpposite: Bool = false,
                                     transform: TransformKind = .dft) throws -> [Float] {
    let (_, h, w) = try checkValues(values, shape: shape)
    let index = try angularSectorIndex(height: h, width: w, sectors: sectors, foldOpposite: foldOpposite,
                                       transform: transform)
    return energies(values, index: index, count: sectors)
  }

  /// Both profiles of a mask or spectrum tensor [..., H, W] (unshifted layout).
  public static func profile(_ t: Tensor, radial: Int, angular: Int, metric: RadiusMetric = .euclidean,
                             foldOpposite: Bool = false, transform: TransformKind = .dft) throws -> BandProfile {
    BandProfile(
      radial: try radialEnergies(t.data, shape: t.shape, bands: radial, metric: metric, transform: transform),
      angular: try angularEnergies(t.data, shape: t.shape, sectors: angular, foldOpposite: foldOpposite,
                                   transform: transform))
  }

  /// The paper's band energy: the values are divided by their L2 norm, and the energy of
  /// a band is the L2 norm of the values inside it, √(Σ_band v²)/√(Σ_all v²). Shifting
  /// does not change norms, so it is computed in the unshifted layout. Several planes
  /// (C×H×W masks, or a stack of masks) are one mask: every plane uses the same bands and
  /// the norms run over all planes together. Entries with index −1 (DC for sectors) count
  /// in the total norm but in no band. An all-zero input gives all-zero energies.
  public static func energies(_ values: [Float], index: [Int], count: Int) -> [Float] {
    let plane = index.count
    precondition(plane > 0 && values.count % plane == 0)
    var sums = [Double](repeating: 0, count: count)
    var total = 0.0
    values.withUnsafeBufferPointer { v in
      for base in stride(from: 0, to: v.count, by: plane) {
        for k in 0..<plane {
          let e = Double(v[base + k]) * Double(v[base + k])
          total += e
          let b = index[k]
          if b >= 0 { sums[b] += e }
        }
      }
    }
    guard total > 0 else { return [Float](repeating: 0, count: count) }
    return sums.map { Float(($0 / total).squareRoot()) }
  }

  /// Radius of the farthest frequency: the outer edge of the last radial band.
  public static func maximumRadius(height: Int, width: Int, metric: RadiusMetric, transform: TransformKind = .dft) -> Double {
    transform == .dft
      ? radius(Double(height / 2), Double(width / 2), metric)
      : radius(Double(height - 1), Double(width - 1), metric)
  }

  /// Degrees covered by the angular sectors together: 360, 180 when folded, 90 for the DCT.
  public static func angularSpan(foldOpposite: Bool, transform: TransformKind = .dft) -> Double {
    transform == .dct ? 90 : (foldOpposite ? 180 : 360)
  }

  /// Number of frequencies in each band of an index map.
  public static func bandSizes(index: [Int], count: Int) -> [Int] {
    var sizes = [Int](repeating: 0, count: count)
    for b in index where b >= 0 { sizes[b] += 1 }
    return sizes
  }

  // MARK: - Geometry

  /// (f_x, f_y) of unshifted index (r, c), with f_y positive upwards for the DFT.
  static func frequency(row r: Int, column c: Int, height h: Int, width w: Int,
                        transform: TransformKind) -> (Double, Double) {
    switch transform {
    case .dct:
      return (Double(c), Double(r))
    case .dft:
      let shiftedRow = (r + h / 2) % h, shiftedColumn = (c + w / 2) % w
      return (Double(shiftedColumn - w / 2), Double(h / 2 - shiftedRow))
    }
  }

  static func radius(_ x: Double, _ y: Double, _ metric: RadiusMetric) -> Double {
    metric == .euclidean ? (x * x + y * y).squareRoot() : abs(x) + abs(y)
  }

  private static func check(height: Int, width: Int, count: Int, name: String) throws {
    guard count >= 1 else { throw FourierLensError.badOption(name: name, reason: "needs at least 1, got \(count)") }
    guard height > 0, width > 0 else {
      throw FourierLensError.shapeMismatch("\(name) need a plane of positive size, got \(height)×\(width)")
    }
  }

  static func checkValues(_ values: [Float], shape: [Int]) throws -> (Int, Int, Int) {
    let g = try planeGeometry(shape, what: "band energies")
    guard values.count == shape.reduce(1, *) else {
      throw FourierLensError.shapeMismatch("band energies: shape \(shape) does not hold \(values.count) values")
    }
    guard values.allSatisfy({ $0.isFinite }) else { throw FourierLensError.nonFinite("band energies of NaN or infinite values") }
    return g
  }
}
