/// When a mask has converged, the criterion every λ of mask learning stops on (dataset and
/// class scopes): over the last `window` epochs of the stable phase (constant learning rate,
/// the warm-up epoch excluded), the drift of the sparsity ‖M‖₁/‖M₀‖₁ and the drift of the
/// retention (masked / clean accuracy on the learning images) are both at most `tolerance`.
/// The drift of a series is its least-squares slope times the window's span (`window − 1`
/// epochs): the change the trend makes across the window, which per-epoch noise (a few
/// images flipping) moves far less than a difference of two epochs would.
public struct MaskConvergence: Codable, Equatable, Sendable {
  public var window: Int
  public var tolerance: Float

  public init(window: Int, tolerance: Float) {
    self.window = window
    self.tolerance = tolerance
  }

  /// The least-squares slope of `values` against 0, 1, 2, ... times `values.count − 1`.
  public static func drift(_ values: [Float]) -> Float {
    let n = values.count
    guard n >= 2 else { return .infinity }
    let meanX = Double(n - 1) / 2
    let meanY = values.reduce(0.0) { $0 + Double($1) } / Double(n)
    var sxy = 0.0, sxx = 0.0
    for (i, v) in values.enumerated() {
      let dx = Double(i) - meanX
      sxy += dx * (Double(v) - meanY)
      sxx += dx * dx
    }
    return Float(sxy / sxx * Double(n - 1))
  }

  /// Whether the stable-phase epochs `stable` (oldest first) show convergence; `clean` is the
  /// clean accuracy that turns masked accuracy into retention.
  public func isMet(by stable: ArraySlice<MaskEpochRecord>, cleanAccuracy clean: Float) -> Bool {
    guard window >= 2, stable.count >= window else { return false }
    let last = stable.suffix(window)
    let sparsityDrift = Self.drift(last.map(\.sparsity))
    let retentionDrift = Self.drift(last.map { Retention.of(masked: $0.maskedAccuracy, clean: clean) })
    return abs(sparsityDrift) <= tolerance && abs(retentionDrift) <= tolerance
  }
}
