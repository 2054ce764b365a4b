/// Frequency coordinates and band indices of transform coefficients, in the unshifted
/// layout the core's transforms and masks use. These define what "radius", "angle",
/// "radial band" and "angular sector" mean for parametric masks, band-limited attacks and
/// augmentations (through the plugin host services) and for band energies.
public enum FrequencyGrid {
  /// Signed frequency (cycles per sample) of coefficient `k` of an axis of length `n`:
  /// DFT: NumPy's fftfreq (k/n for k < ⌈n/2⌉, else (k−n)/n), in [−0.5, 0.5);
  /// DCT-II: k/(2n), in [0, 0.5).
  @inline(__always)
  public static func frequency(_ k: Int, _ n: Int, _ transform: TransformKind) -> Float {
    switch transform {
    case .dft: return Float(k < (n + 1) / 2 ? k : k - n) / Float(n)
    case .dct: return Float(k) / Float(2 * n)
    }
  }

  /// fy and fx of every coefficient of an H×W plane (row-major, unshifted).
  public static func coordinates(_ transform: TransformKind, height: Int, width: Int) -> (fy: [Float], fx: [Float]) {
    var fy = [Float](repeating: 0, count: height * width)
    var fx = fy
    for y in 0..<height {
      let v = frequency(y, height, transform)
      for x in 0..<width {
        fy[y * width + x] = v
        fx[y * width + x] = frequency(x, width, transform)
      }
    }
    return (fy, fx)
  }

  /// Radius of every coefficient normalised to [0, 1]: 0 at DC, 1 at the corner of the
  /// centred spectrum (|fy| = |fx| = 0.5) for the DFT, at the highest-frequency corner
  /// for the DCT.
  public static func normalisedRadius(_ transform: TransformKind, height: Int, width: Int) -> [Float] {
    let (fy, fx) = coordinates(transform, height: height, width: width)
    let corner = Float(0.5 * 2.0.squareRoot())
    return zip(fy, fx).map { min(1, ($0 * $0 + $1 * $1).squareRoot() / corner) }
  }

  /// Angle of every coefficient in [0, 2π), counter-clockwise from the positive horizontal
  /// frequency axis as the centred spectrum is displayed (rows downwards, so "up" is −fy).
  /// DCT coefficients all lie in one quadrant: their angle atan2(fy, fx) is in [0, π/2].
  public static func angle(_ transform: TransformKind, height: Int, width: Int) -> [Float] {
    let (fy, fx) = coordinates(transform, height: height, width: width)
    return zip(fy, fx).map { y, x in
      switch transform {
      case .dft:
        var a = atan2f(-y, x)
        if a < 0 { a += 2 * Float.pi }
        return a >= 2 * Float.pi ? 0 : a
      case .dct:
        return atan2f(y, x)
      }
    }
  }

  /// Band index r·angular + a of every coefficient: r in 0..<radial splits the normalised
  /// radius [0, 1] into equal rings (centre outwards, the corner in the last ring),
  /// a in 0..<angular splits the angle range (DFT: 0–360°; DCT: 0–90°) into equal sectors
  /// counter-clockwise. DC is in ring 0, sector 0.
  ///
  /// For the DFT with an even number of sectors the map is exactly point-symmetric:
  /// −k lies in sector a + angular/2 of k's ring. (Angles of the lower half-plane are
  /// computed from their mirror image in the upper half, so rounding in atan2 can never
  /// put k and −k on different sides of a boundary.)
  public static func bandIndices(_ transform: TransformKind, height: Int, width: Int, radial: Int, angular: Int) -> [Int32] {
    precondition(radial > 0 && angular > 0)
    let radius = normalisedRadius(transform, height: height, width: width)
    let (fy, fx) = coordinates(transform, height: height, width: width)
    var out = [Int32](repeating: 0, count: height * width)
    func sector(_ a: Float, _ range: Float) -> Int { min(angular - 1, max(0, Int(a / range * Float(angular)))) }
    for i in out.indices {
      let r = min(radial - 1, Int(radius[i] * Float(radial)))
      let a: Int
      switch transform {
      case .dct:
        a = sector(atan2f(fy[i], fx[i]), Float.pi / 2)
      case .dft:
        // Upper half-plane ("up" = −fy as displayed), including the positive horizontal axis.
        let up = -fy[i], right = fx[i]
        let upper = up > 0 || (up == 0 && right >= 0)
        if upper {
          a = sector(atan2f(up == 0 ? 0 : up, right), 2 * Float.pi)
        } else if angular % 2 == 0 {
          let mirrorUp = -up, mirrorRight = -right
          a = (sector(atan2f(mirrorUp == 0 ? 0 : mirrorUp, mirrorRight), 2 * Float.pi) + angular / 2) % angular
        } else {
          a = sector(atan2f(up, right) + 2 * Float.pi, 2 * Float.pi)
        }
      }
      out[i] = Int32(r * angular + a)
    }
    return out
  }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
