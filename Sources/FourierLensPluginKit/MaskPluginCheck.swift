import Foundation

/// Finite-difference check of a mask plugin's VJP, for authors' own tests (the host runs
/// the same check on a loaded plugin with `flens plugins check NAME`).
///
///     let mask = try MyMask(options: PluginOptions(schema: MyMask.parameters),
///                           request: MaskRequest(transform: .dft, layout: .shared, channels: 3, height: 16, width: 16))
///     let result = try MaskPluginCheck.vjp(mask, maskCount: 16 * 16)
///     assert(result.maxRelativeError < 1e-3)
///
/// With L(θ) = Σ g·M(θ) for a random g, compares ⟨VJP(θ, g), u⟩ with the Richardson-
/// extrapolated central difference of L along random unit directions u, at θ₀ plus 5 %
/// noise (then projected); errors are relative to max(|fd|, |analytic|, 1e-2·‖VJP‖).
/// Plugins that use host services (bands, transforms) need the host, i.e. run this
/// under `flens` (`flens plugins check NAME`).
public enum MaskPluginCheck {
  public struct Result: Sendable {
    /// Relative error per direction.
    public var relativeErrors: [Double]
    public var maxRelativeError: Double { relativeErrors.max() ?? 0 }
  }

  public static func vjp(_ plugin: any MaskPlugin, maskCount m: Int, seed: UInt64 = 0, directions: Int = 8,
                         relativeStep: Double = 1e-2) throws -> Result {
    var state = seed
    func next() -> UInt64 {  // SplitMix64
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    func gaussian() -> Double {
      let u1 = max(1e-12, Double(next() >> 11) / Double(1 << 53)), u2 = Double(next() >> 11) / Double(1 << 53)
      return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
    let n = plugin.parameterCount
    var theta = try plugin.initialParameters()
    guard theta.count == n else { throw PluginError.internalError("initialParameters returned \(theta.count) values for \(n)") }
    let scale = max(1e-2, (theta.reduce(0.0) { $0 + Double($1 * $1) } / Double(max(n, 1))).squareRoot())
    theta = theta.map { $0 + Float(0.05 * scale * gaussian()) }
    try theta.withUnsafeMutableBufferPointer { try plugin.project($0) }

    func mask(_ t: [Float], count: Int) throws -> [Float] {
      var m = [Float](repeating: .nan, count: count)
      try t.withUnsafeBufferPointer { tp in try m.withUnsafeMutableBufferPointer { try plugin.forward(tp, into: $0) } }
      return m
    }
    let g = (0..<m).map { _ in Float(gaussian()) }
    var v = [Float](repeating: .nan, count: n)
    try theta.withUnsafeBufferPointer { tp in
      try g.withUnsafeBufferPointer { gp in try v.withUnsafeMutableBufferPointer { try plugin.vjp(tp, maskGradient: gp, into: $0) } }
    }
    let vNorm = (v.reduce(0.0) { $0 + Double($1) * Double($1) }).squareRoot()
    let h = relativeStep * scale
    func loss(_ t: [Float]) throws -> Double {
      let mm = try mask(t, count: m)
      var s = 0.0
      for i in 0..<m { s += Double(g[i]) * Double(mm[i]) }
      return s
    }
    var errors: [Double] = []
    for _ in 0..<directions {
      var u = (0..<n).map { _ in gaussian() }
      let norm = max(1e-12, (u.reduce(0) { $0 + $1 * $1 }).squareRoot())
      u = u.map { $0 / norm }
      func quotients(_ step: Double) throws -> (Double, Double) {
        let plus = zip(theta, u).map { Float(Double($0) + step * $1) }
        let minus = zip(theta, u).map { Float(Double($0) - step * $1) }
        let fd = (try loss(plus) - loss(minus)) / (2 * step)
        var analytic = 0.0
        for i in 0..<n { analytic += Double(v[i]) * (Double(plus[i]) - Double(minus[i])) / (2 * step) }
        return (fd, analytic)
      }
      let (c, ca) = try quotients(h), (f, fa) = try quotients(h / 2)
      let fd = (4 * f - c) / 3, analytic = (4 * fa - ca) / 3
      errors.append(abs(fd - analytic) / max(abs(fd), abs(analytic), 1e-2 * vNorm, 1e-12))
    }
    return Result(relativeErrors: errors)
  }
}
