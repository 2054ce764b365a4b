import FourierLensPluginKit
import Foundation

/// A smooth low-pass mask with one learned cut-off radius ρ (per channel when the host
/// asks for per-channel masks). Radii are normalised: 0 at DC, 1 at the corner of the
/// centred spectrum. Both shapes equal 1/2 at r = ρ:
///   gaussian:    M(r) = exp(−ln 2 · (r/ρ)²)
///   butterworth: M(r) = 1 / (1 + (r/ρ)^(2n))
/// so the learned ρ reads directly as "the half-power-ish radius the model needs".
final class LowpassMask: MaskPlugin {
  static let name = "lowpass"
  static let summary = "smooth Gaussian or Butterworth low-pass with a learned cut-off radius"
  static let parameters: [PluginParameter] = [
    .choice("shape", ["gaussian", "butterworth"], default: "gaussian", help: "profile of the low-pass"),
    .float("radius", default: 0.5, min: 0.001, max: 2, help: "initial cut-off radius (0 = DC, 1 = spectrum corner), where M = 1/2"),
    .int("order", default: 2, min: 1, max: 32, help: "Butterworth order n (steepness)"),
    .float("min_radius", default: 0.01, min: 0.0001, max: 1, help: "smallest radius the projection allows"),
  ]

  let butterworth: Bool
  let initialRadius: Float
  let order: Int
  let minRadius: Float
  let planes: Int
  /// Normalised radius of every frequency of one plane.
  let radius: [Float]

  init(options: PluginOptions, request: MaskRequest) throws {
    butterworth = try options.string("shape") == "butterworth"
    initialRadius = try options.float("radius")
    order = try options.int("order")
    minRadius = try options.float("min_radius")
    planes = request.maskChannels
    let (fy, fx) = try PluginHost.frequencyGrid(request.transform, height: request.height, width: request.width)
    let corner = Float(0.5 * 2.0.squareRoot())
    radius = zip(fy, fx).map { ($0 * $0 + $1 * $1).squareRoot() / corner }
  }

  var parameterCount: Int { planes }

  func initialParameters() throws -> [Float] { [Float](repeating: initialRadius, count: planes) }

  /// M and ∂M/∂ρ at normalised radius r.
  @inline(__always)
  private func profile(_ r: Float, _ rho: Float) -> (m: Float, dm: Float) {
    let s = r / rho
    if butterworth {
      let q = powf(s * s, Float(order))
      let m = 1 / (1 + q)
      return (m, 2 * Float(order) * q * m * m / rho)
    } else {
      let a = logf(2)
      let m = expf(-a * s * s)
      return (m, m * 2 * a * s * s / rho)
    }
  }

  private func checkRadii(_ theta: UnsafeBufferPointer<Float>) throws {
    for rho in theta where !(rho > 0) || !rho.isFinite {
      throw PluginError.invalidArgument("lowpass radius must be positive and finite, got \(rho)")
    }
  }

  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws {
    try checkRadii(theta)
    let n = radius.count
    for c in 0..<planes {
      let rho = theta[c]
      for k in 0..<n { mask[c * n + k] = profile(radius[k], rho).m }
    }
  }

  func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
           into thetaGradient: UnsafeMutableBufferPointer<Float>) throws {
    try checkRadii(theta)
    let n = radius.count
    for c in 0..<planes {
      let rho = theta[c]
      var sum: Float = 0
      for k in 0..<n { sum += maskGradient[c * n + k] * profile(radius[k], rho).dm }
      thetaGradient[c] = sum
    }
  }

  func project(_ theta: UnsafeMutableBufferPointer<Float>) throws {
    for i in theta.indices { theta[i] = min(2, max(minRadius, theta[i])) }
  }
}
