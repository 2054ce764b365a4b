/// Finite-difference check of a mask parameterization's vector–Jacobian product: the
/// test every new mask plugin should pass before it is used to learn masks
/// (`flens plugins check NAME`).
///
/// Method: at a point θ near θ₀ (θ₀ plus 5 % noise, then projected), with a random
/// upstream gradient g = ∂L/∂M, the linear functional L(θ) = Σ g·M(θ) has gradient
/// VJP(θ, g). For random unit directions u (and a few coordinate directions), the
/// analytic directional derivative ⟨VJP, u⟩ is compared with the central difference
/// D(h) = (L(θ + hu) − L(θ − hu)) / 2h, Richardson-extrapolated as (4·D(h/2) − D(h))/3
/// (error O(h⁴), so a larger h can be used, which keeps Float32 rounding of M out of the
/// quotient), with L accumulated in Double. The relative error uses
/// max(|fd|, |analytic|, 1e-2·‖VJP‖) as denominator, so directions nearly orthogonal to
/// the gradient do not produce false alarms.
public struct MaskVJPCheck: Sendable {
  public struct Direction: Codable, Sendable, Equatable {
    /// "random" or "coordinate i".
    public var direction: String
    public var analytic: Double
    public var finiteDifference: Double
    public var relativeError: Double

    enum CodingKeys: String, CodingKey {
      case direction, analytic, finiteDifference = "finite_difference", relativeError = "relative_error"
    }
  }

  public var directions: [Direction]
  public var parameterCount: Int
  public var maskCount: Int
  public var step: Double
  public var tolerance: Double

  /// The largest relative error over all directions.
  public var maxRelativeError: Double { directions.map(\.relativeError).max() ?? 0 }
  /// The direction with the largest relative error ("coordinate i" names parameter i).
  public var worstDirection: Direction? { directions.max { $0.relativeError < $1.relativeError } }
  public var passed: Bool { maxRelativeError <= tolerance }

  /// Runs the check. `step` (h) is relative to the RMS of θ (floor 1e-2).
  public static func run(_ p: MaskParameterization, seed: UInt64 = 0, randomDirections: Int = 6,
                         coordinateDirections: Int = 6, step relativeStep: Double = 1e-2,
                         tolerance: Double = 1e-2) throws -> MaskVJPCheck {
    var rng = SeededGenerator(seed: seed)
    let theta0 = try p.initialParameters()
    let n = theta0.count
    let scale = max(1e-2, rms(theta0))
    var theta = theta0.map { $0 + Float(0.05 * scale) * rng.nextGaussian() }
    try p.project(&theta)
    let m0 = try p.mask(theta)
    let g = (0..<m0.count).map { _ in rng.nextGaussian() }
    let vjp = try p.vectorJacobianProduct(theta, maskGradient: g)
    guard vjp.count == n else {
      throw FourierLensError.shapeMismatch("VJP of '\(p.name)' has \(vjp.count) values for \(n) parameters")
    }
    let vjpNorm = (vjp.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    let h = relativeStep * max(1e-2, rms(theta))

    func loss(_ t: [Float]) throws -> Double {
      let m = try p.mask(t)
      var s = 0.0
      for i in 0..<m.count { s += Double(g[i]) * Double(m[i]) }
      return s
    }

    var directions: [(String, [Double])] = []
    for _ in 0..<randomDirections {
      var u = (0..<n).map { _ in Double(rng.nextGaussian()) }
      let norm = (u.reduce(0) { $0 + $1 * $1 }).squareRoot()
      u = u.map { $0 / max(norm, 1e-12) }
      directions.append(("random", u))
    }
    for _ in 0..<min(coordinateDirections, n) {
      let i = Int(rng.next() % UInt64(n))
      var u = [Double](repeating: 0, count: n)
      u[i] = 1
      directions.append(("coordinate \(i)", u))
    }

    /// Central difference and the analytic derivative along the same Float-rounded step.
    func quotients(_ u: [Double], _ step: Double) throws -> (fd: Double, analytic: Double) {
      let plus = zip(theta, u).map { Float(Double($0) + step * $1) }
      let minus = zip(theta, u).map { Float(Double($0) - step * $1) }
      let fd = (try loss(plus) - loss(minus)) / (2 * step)
      var analytic = 0.0
      for i in 0..<n { analytic += Double(vjp[i]) * (Double(plus[i]) - Double(minus[i])) / (2 * step) }
      return (fd, analytic)
    }

    var results: [Direction] = []
    for (label, u) in directions {
      let (coarse, coarseAnalytic) = try quotients(u, h)
      let (fine, fineAnalytic) = try quotients(u, h / 2)
      let fd = (4 * fine - coarse) / 3
      let analytic = (4 * fineAnalytic - coarseAnalytic) / 3
      let denominator = max(abs(fd), abs(analytic), 1e-2 * vjpNorm, 1e-12)
      results.append(Direction(direction: label, analytic: analytic, finiteDifference: fd,
                               relativeError: abs(fd - analytic) / denominator))
    }
    return MaskVJPCheck(directions: results, parameterCount: n, maskCount: m0.count, step: h, tolerance: tolerance)
  }

  private static func rms(_ v: [Float]) -> Double {
    guard !v.isEmpty else { return 0 }
    return (v.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(v.count)).squareRoot()
  }
}
