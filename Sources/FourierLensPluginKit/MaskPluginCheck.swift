import Foundation
import FourierLensNumerics

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
/// noise (then projected), at two steps a decade apart (each direction keeps the better one);
/// errors are relative to max(|fd|, |analytic|, 1e-2·‖VJP‖).
/// Plugins that use host services (bands, transforms) need the host, i.e. run this
/// under `flens` (`flens plugins check NAME`).
public enum MaskPluginCheck {
  public struct Result: Sendable {
    /// Relative error per direction.
    public var relativeErrors: [Double]
    /// Per direction, the factor by which the finite difference amplifies Float32 rounding
    /// of the mask (`VJPFiniteDifference.Comparison.conditionNumber`).
    public var conditionNumbers: [Double]
    public var maxRelativeError: Double { relativeErrors.max() ?? 0 }
  }

  public static func vjp(_ plugin: any MaskPlugin, maskCount m: Int, seed: UInt64 = 0, directions: Int = 8,
                         relativeSteps: [Double] = VJPFiniteDifference.relativeSteps) throws -> Result {
    var random = SplitMix64(seed: seed)
    func gaussian() -> Double {
      let u1 = max(1e-12, Double(random.next() >> 11) / Double(1 << 53)), u2 = Double(random.next() >> 11) / Double(1 << 53)
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
    let directions = (0..<directions).map { _ in VJPFiniteDifference.unitDirection(count: n, gaussian: gaussian) }
    let comparisons = try VJPFiniteDifference.compare(theta: theta, upstream: g, vjp: v, directions: directions,
                                                      steps: relativeSteps.map { $0 * scale }) { try mask($0, count: m) }
    return Result(relativeErrors: comparisons.map(\.relativeError), conditionNumbers: comparisons.map(\.conditionNumber))
  }
}
