import FourierLensNumerics

/// Finite-difference check of a mask parameterization's vector–Jacobian product: the
/// test every new mask plugin should pass before it is used to learn masks
/// (`flens plugins check NAME`).
///
/// Method: at a point θ near θ₀ (θ₀ plus 5 % noise, then projected), with a random
/// upstream gradient g = ∂L/∂M, along random unit directions and a few coordinate
/// directions, `VJPFiniteDifference` compares ⟨VJP(θ, g), u⟩ with a Richardson-extrapolated
/// central difference of L(θ) = Σ g·M(θ), at two steps a decade apart, keeping per direction
/// the better one, so Float32 rounding of a saturating mask is not taken for a wrong VJP; each
/// direction reports its condition number and the error rounding alone can explain.
public struct MaskVJPCheck: Sendable {
  public struct Direction: Codable, Sendable, Equatable {
    /// "random" or "coordinate i".
    public var direction: String
    public var analytic: Double
    public var finiteDifference: Double
    public var relativeError: Double
    /// The step h (absolute) the comparison kept: the one with the smaller error.
    public var step: Double
    /// ‖g∘M‖₂ / (h·|derivative|): how much the finite difference amplifies the mask's rounding.
    public var conditionNumber: Double
    /// The typical relative error Float32 rounding of the mask alone causes at this step.
    public var roundingError: Double

    /// An error no larger than a few times what rounding explains: an ill-conditioned point,
    /// not evidence of a wrong VJP.
    public var withinRounding: Bool { relativeError <= 3 * roundingError }

    enum CodingKeys: String, CodingKey {
      case direction, analytic, finiteDifference = "finite_difference", relativeError = "relative_error", step,
           conditionNumber = "condition_number", roundingError = "rounding_error"
    }
  }

  public var directions: [Direction]
  public var parameterCount: Int
  public var maskCount: Int
  /// The absolute steps tried (relative steps times the RMS of θ, floor 1e-2).
  public var steps: [Double]
  public var tolerance: Double

  /// The largest relative error over all directions.
  public var maxRelativeError: Double { directions.map(\.relativeError).max() ?? 0 }
  /// The direction with the largest relative error ("coordinate i" names parameter i).
  public var worstDirection: Direction? { directions.max { $0.relativeError < $1.relativeError } }
  public var passed: Bool { maxRelativeError <= tolerance }

  /// Runs the check. `relativeSteps` are relative to the RMS of θ (floor 1e-2).
  public static func run(_ p: MaskParameterization, seed: UInt64 = 0, randomDirections: Int = 6,
                         coordinateDirections: Int = 6, relativeSteps: [Double] = VJPFiniteDifference.relativeSteps,
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
    let steps = relativeSteps.map { $0 * max(1e-2, rms(theta)) }

    var directions: [(String, [Double])] = []
    for _ in 0..<randomDirections {
      directions.append(("random", VJPFiniteDifference.unitDirection(count: n) { Double(rng.nextGaussian()) }))
    }
    for _ in 0..<min(coordinateDirections, n) {
      let i = Int(rng.next() % UInt64(n))
      var u = [Double](repeating: 0, count: n)
      u[i] = 1
      directions.append(("coordinate \(i)", u))
    }
    let comparisons = try VJPFiniteDifference.compare(theta: theta, upstream: g, vjp: vjp, directions: directions.map(\.1),
                                                      steps: steps) { try p.mask($0) }
    let results = zip(directions, comparisons).map { direction, c in
      Direction(direction: direction.0, analytic: c.analytic, finiteDifference: c.finiteDifference,
                relativeError: c.relativeError, step: c.step, conditionNumber: c.conditionNumber, roundingError: c.roundingError)
    }
    return MaskVJPCheck(directions: results, parameterCount: n, maskCount: m0.count, steps: steps, tolerance: tolerance)
  }

  private static func rms(_ v: [Float]) -> Double {
    guard !v.isEmpty else { return 0 }
    return (v.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(v.count)).squareRoot()
  }
}
