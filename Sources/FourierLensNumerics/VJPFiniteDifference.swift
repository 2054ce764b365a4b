/// The finite-difference comparison behind both checks of a mask parameterization's
/// vector–Jacobian product: the host's `MaskVJPCheck` (`flens plugins check NAME`) and the
/// plugin kit's `MaskPluginCheck` (plugin authors' own tests).
///
/// With an upstream gradient g = ∂L/∂M, the linear functional L(θ) = Σ g·M(θ) has gradient
/// VJP(θ, g). Along a unit direction u the analytic derivative ⟨VJP, u⟩ is compared with the
/// central difference D(h) = (L(θ + hu) − L(θ − hu)) / 2h, Richardson-extrapolated as
/// (4·D(h/2) − D(h))/3 (error O(h⁴)), with L accumulated in Double. Both sides use the same
/// Float-rounded step. The relative error's denominator is max(|fd|, |analytic|, 1e-2·‖VJP‖),
/// so directions nearly orthogonal to the gradient do not produce false alarms.
///
/// Why several steps: the mask comes back in Float32, so each L(θ ± hu) carries a rounding
/// error of typically 2⁻²⁴·‖g∘M‖₂ (the entries' roundings add up like a random walk), which
/// the quotient divides by h. Where M saturates (near 0 or 1) its derivative is small against
/// M itself, and a correct VJP can miss at a small h by rounding alone; a larger h shrinks the
/// rounding but grows the truncation error. Each direction is compared at every step and keeps
/// the step with the smallest error: a correct VJP agrees at one of them, a wrong one at none.
/// The condition number κ = ‖g∘M‖₂ / (h·|derivative|) says how much the quotient amplifies
/// the mask's rounding.
public enum VJPFiniteDifference {
  /// Float32's unit roundoff, the relative rounding error of each mask value.
  public static let float32Roundoff = 0x1p-24
  /// The checks' steps relative to the RMS of θ: the classic 1 % and a decade larger, where
  /// rounding errors of a saturating mask are ten times smaller.
  public static let relativeSteps: [Double] = [1e-2, 1e-1]

  public struct Comparison: Sendable, Equatable {
    public var analytic: Double
    public var finiteDifference: Double
    public var relativeError: Double
    /// The step h this comparison was taken at (the one with the smallest error).
    public var step: Double
    /// ‖g∘M(θ)‖₂ / (h·d), d the error's denominator: the factor by which the quotient
    /// amplifies relative rounding errors of the mask.
    public var conditionNumber: Double
    /// The typical relative error Float32 rounding of the mask alone causes at this step:
    /// 2⁻²⁴·κ times 1.5, the Richardson combination's amplification (4/3 of the half step's
    /// error plus 1/3 of the full step's).
    public var roundingError: Double { 1.5 * VJPFiniteDifference.float32Roundoff * conditionNumber }
  }

  /// Compares the VJP `vjp` (at `theta`, for upstream gradient `g`) with finite differences
  /// of Σ g·mask(θ) along each of `directions` (unit vectors), at each of `steps`, keeping per
  /// direction the step with the smallest relative error.
  public static func compare(theta: [Float], upstream g: [Float], vjp: [Float], directions: [[Double]], steps: [Double],
                             mask: ([Float]) throws -> [Float]) rethrows -> [Comparison] {
    precondition(!steps.isEmpty, "at least one step")
    let n = theta.count
    let vjpNorm = (vjp.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    func loss(_ t: [Float]) throws -> (value: Double, magnitude: Double) {
      let m = try mask(t)
      var s = 0.0, squares = 0.0
      for i in 0..<min(m.count, g.count) {
        s += Double(g[i]) * Double(m[i])
        squares += Double(g[i]) * Double(m[i]) * Double(g[i]) * Double(m[i])
      }
      return (s, squares.squareRoot())
    }
    let magnitude = try loss(theta).magnitude
    func quotients(_ u: [Double], _ step: Double) throws -> (fd: Double, analytic: Double) {
      let plus = zip(theta, u).map { Float(Double($0) + step * $1) }
      let minus = zip(theta, u).map { Float(Double($0) - step * $1) }
      let fd = (try loss(plus).value - loss(minus).value) / (2 * step)
      var analytic = 0.0
      for i in 0..<n { analytic += Double(vjp[i]) * (Double(plus[i]) - Double(minus[i])) / (2 * step) }
      return (fd, analytic)
    }
    return try directions.map { u in
      var best: Comparison?
      for h in steps {
        let (coarse, coarseAnalytic) = try quotients(u, h)
        let (fine, fineAnalytic) = try quotients(u, h / 2)
        let fd = (4 * fine - coarse) / 3
        let analytic = (4 * fineAnalytic - coarseAnalytic) / 3
        let denominator = max(abs(fd), abs(analytic), 1e-2 * vjpNorm, 1e-12)
        let c = Comparison(analytic: analytic, finiteDifference: fd, relativeError: abs(fd - analytic) / denominator,
                           step: h, conditionNumber: magnitude / (h * denominator))
        if best == nil || c.relativeError < best!.relativeError { best = c }
      }
      return best!
    }
  }

  /// A random unit vector of `count` entries from `gaussian` draws.
  public static func unitDirection(count: Int, gaussian: () -> Double) -> [Double] {
    let u = (0..<count).map { _ in gaussian() }
    let norm = max(1e-12, (u.reduce(0) { $0 + $1 * $1 }).squareRoot())
    return u.map { $0 / norm }
  }
}
