import Foundation

/// Colour maps for heat maps of masks and spectra.
public enum Colormap: String, CaseIterable, Codable, Sendable {
  /// Google's Turbo (Mikhailov 2019), through its published degree-5 polynomial
  /// approximation: a perceptually smoother rainbow for magnitudes.
  case turbo
  /// Moreland's (2009) cool-to-warm diverging map, blue (0) → grey (0.5) → red (1),
  /// interpolated in his Msh colour space: for signed values such as mask differences.
  case coolwarm
  /// Black (0) to white (1).
  case gray

  /// Whether values are best shown on a range symmetric about zero.
  public var isDiverging: Bool { self == .coolwarm }

  /// sRGB in [0, 1] at t (clamped to [0, 1]; NaN gives t = 0).
  public func color(_ t: Float) -> (r: Float, g: Float, b: Float) {
    let x = t.isNaN ? 0 : min(1, max(0, Double(t)))
    switch self {
    case .gray:
      return (Float(x), Float(x), Float(x))
    case .turbo:
      let c = Self.turbo(x)
      return (Float(c.0), Float(c.1), Float(c.2))
    case .coolwarm:
      let c = MorelandDiverging.coolwarm(x)
      return (Float(c.0), Float(c.1), Float(c.2))
    }
  }

  /// 8-bit sRGB at t.
  public func rgb8(_ t: Float) -> (UInt8, UInt8, UInt8) {
    let c = color(t)
    return (Self.byte(c.r), Self.byte(c.g), Self.byte(c.b))
  }

  /// 256 8-bit colours, entry i at t = i/255, for fast rendering.
  public func table() -> [(UInt8, UInt8, UInt8)] {
    (0..<256).map { rgb8(Float($0) / 255) }
  }

  static func byte(_ v: Float) -> UInt8 { UInt8(min(255, max(0, (v * 255).rounded()))) }

  /// The Turbo polynomial: r(x) = Σ cᵢ xⁱ for i = 0…5 per channel, clamped to [0, 1].
  private static func turbo(_ x: Double) -> (Double, Double, Double) {
    let r: [Double] = [0.13572138, 4.61539260, -42.66032258, 132.13108234, -152.94239396, 59.28637943]
    let g: [Double] = [0.09140261, 2.19418839, 4.84296658, -14.18503333, 4.27729857, 2.82956604]
    let b: [Double] = [0.10667330, 12.64194608, -60.58204836, 110.36276771, -89.90310912, 27.34824973]
    func poly(_ c: [Double]) -> Double {
      var v = 0.0
      for coefficient in c.reversed() { v = v * x + coefficient }
      return min(1, max(0, v))
    }
    return (poly(r), poly(g), poly(b))
  }
}

/// Moreland's diverging colour maps: interpolation between two sRGB colours in the Msh
/// space (polar CIELAB: M = |Lab|, s = saturation angle, h = hue), through an unsaturated
/// white-ish midpoint, with the hue spin that keeps the transition perceptually even.
enum MorelandDiverging {
  /// Endpoints of the cool-warm map in sRGB (Moreland 2009, Table 1).
  static let cool = (0.230, 0.299, 0.754)
  static let warm = (0.706, 0.016, 0.150)

  static func coolwarm(_ t: Double) -> (Double, Double, Double) {
    interpolate(cool, warm, t)
  }

  static func interpolate(_ c1: (Double, Double, Double), _ c2: (Double, Double, Double), _ t: Double) -> (Double, Double, Double) {
    var (m1, s1, h1) = msh(fromLab: lab(fromSRGB: c1))
    var (m2, s2, h2) = msh(fromLab: lab(fromSRGB: c2))
    var t = t
    // Saturated, distinct endpoints: pass through an unsaturated midpoint.
    if s1 > 0.05 && s2 > 0.05 && angleDifference(h1, h2) > Double.pi / 3 {
      let mid = max(m1, m2, 88)
      if t < 0.5 {
        (m2, s2, h2) = (mid, 0, 0)
        t *= 2
      } else {
        (m1, s1, h1) = (mid, 0, 0)
        t = 2 * t - 1
      }
    }
    // An unsaturated endpoint borrows a spun hue from the saturated one.
    if s1 < 0.05 && s2 > 0.05 {
      h1 = adjustHue(m2, s2, h2, m1)
    } else if s2 < 0.05 && s1 > 0.05 {
      h2 = adjustHue(m1, s1, h1, m2)
    }
    let m = (1 - t) * m1 + t * m2, s = (1 - t) * s1 + t * s2, h = (1 - t) * h1 + t * h2
    return sRGB(fromLab: lab(fromMsh: (m, s, h)))
  }

  private static func angleDifference(_ a: Double, _ b: Double) -> Double {
    var d = abs(a - b).truncatingRemainder(dividingBy: 2 * Double.pi)
    if d > Double.pi { d = 2 * Double.pi - d }
    return d
  }

  private static func adjustHue(_ m: Double, _ s: Double, _ h: Double, _ unsaturatedM: Double) -> Double {
    if m >= unsaturatedM { return h }
    let spin = s * (unsaturatedM * unsaturatedM - m * m).squareRoot() / (m * sin(s))
    return h > -Double.pi / 3 ? h + spin : h - spin
  }

  // Colour-space conversions (sRGB, D65 white).
  private static let white = (0.95047, 1.0, 1.08883)

  private static func lab(fromSRGB c: (Double, Double, Double)) -> (Double, Double, Double) {
    func linear(_ v: Double) -> Double { v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
    let r = linear(c.0), g = linear(c.1), b = linear(c.2)
    let x = 0.4124 * r + 0.3576 * g + 0.1805 * b
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    let z = 0.0193 * r + 0.1192 * g + 0.9505 * b
    func f(_ v: Double) -> Double { v > 0.008856 ? cbrt(v) : 7.787 * v + 16.0 / 116.0 }
    let fx = f(x / white.0), fy = f(y / white.1), fz = f(z / white.2)
    return (116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz))
  }

  private static func sRGB(fromLab lab: (Double, Double, Double)) -> (Double, Double, Double) {
    let fy = (lab.0 + 16) / 116, fx = fy + lab.1 / 500, fz = fy - lab.2 / 200
    func finv(_ v: Double) -> Double { v * v * v > 0.008856 ? v * v * v : (v - 16.0 / 116.0) / 7.787 }
    let x = white.0 * finv(fx), y = white.1 * finv(fy), z = white.2 * finv(fz)
    let r = 3.2406 * x - 1.5372 * y - 0.4986 * z
    let g = -0.9689 * x + 1.8758 * y + 0.0415 * z
    let b = 0.0557 * x - 0.2040 * y + 1.0570 * z
    func gamma(_ v: Double) -> Double {
      let c = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055
      return min(1, max(0, c))
    }
    return (gamma(r), gamma(g), gamma(b))
  }

  private static func msh(fromLab lab: (Double, Double, Double)) -> (Double, Double, Double) {
    let m = (lab.0 * lab.0 + lab.1 * lab.1 + lab.2 * lab.2).squareRoot()
    return (m, m > 0 ? acos(lab.0 / m) : 0, atan2(lab.2, lab.1))
  }

  private static func lab(fromMsh c: (Double, Double, Double)) -> (Double, Double, Double) {
    (c.0 * cos(c.1), c.0 * sin(c.1) * cos(c.2), c.0 * sin(c.1) * sin(c.2))
  }
}
