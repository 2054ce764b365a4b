/// The finite-difference comparison behind both checks of a mask parameterization's
/// vector–Jacobian product: the host's `MaskVJPCheck` (`flens plugins check NAME`) and the
/// plugin kit's `MaskPluginCheck` (plugin authors' own tests).
///
/// With an upstream gradient g = ∂L/∂M, the linear functional L(θ) = Σ g·M(θ) has gradient
/// VJP(θ, g). Along a unit direction u the analytic derivative ⟨VJP, u⟩ is compared with the
/// central difference D(h) = (L(θ + hu) − L(θ − hu)) / 2h, Richardson-extrapolated as
/// (4·D(h/2) − D(h))/3 (error O(h⁴), so a larger h keeps Float32 rounding of M out of the
/// quotient), with L accumulated in Double. Both sides use the same Float-rounded step. The
/// relative error's denominator is max(|fd|, |analytic|, 1e-2·‖VJP‖), so directions nearly
/// orthogonal to the gradient do not produce false alarms.
public enum VJPFiniteDifference {
  public struct Comparison: Sendable, Equatable {
    public var analytic: Double
    public var finiteDifference: Double
    public var relativeError: Double
  }

  /// Compares the VJP `vjp` (at `theta`, for upstream gradient `g`) with finite differences
  /// of Σ g·mask(θ) along each of `directions` (unit vectors), with step `h`.
  public static func compare(theta: [Float], upstream g: [Float], vjp: [Float], directions: [[Double]], step h: Double,
                             mask: ([Float]) throws -> [Float]) rethrows -> [Comparison] {
    let n = theta.count
    let vjpNorm = (vjp.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    func loss(_ t: [Float]) throws -> Double {
      let m = try mask(t)
      var s = 0.0
      for i in 0..<min(m.count, g.count) { s += Double(g[i]) * Double(m[i]) }
      return s
    }
    func quotients(_ u: [Double], _ step: Double) throws -> (fd: Double, analytic: Double) {
      let plus = zip(theta, u).map { Float(Double($0) + step * $1) }
      let minus = zip(theta, u).map { Float(Double($0) - step * $1) }
      let fd = (try loss(plus) - loss(minus)) / (2 * step)
      var analytic = 0.0
      for i in 0..<n { analytic += Double(vjp[i]) * (Double(plus[i]) - Double(minus[i])) / (2 * step) }
      return (fd, analytic)
    }
    return try directions.map { u in
      let (coarse, coarseAnalytic) = try quotients(u, h)
      let (fine, fineAnalytic) = try quotients(u, h / 2)
      let fd = (4 * fine - coarse) / 3
      let analytic = (4 * fineAnalytic - coarseAnalytic) / 3
      let denominator = max(abs(fd), abs(analytic), 1e-2 * vjpNorm, 1e-12)
      return Comparison(analytic: analytic, finiteDifference: fd, relativeError: abs(fd - analytic) / denominator)
    }
  }

  /// A random unit vector of `count` entries from `gaussian` draws.
  public static func unitDirection(count: Int, gaussian: () -> Double) -> [Double] {
    let u = (0..<count).map { _ in gaussian() }
    let norm = max(1e-12, (u.reduce(0) { $0 + $1 * $1 }).squareRoot())
    return u.map { $0 / norm }
  }
}
