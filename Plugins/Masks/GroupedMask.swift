import FourierLensPluginKit

/// A mask that is piecewise constant over groups of frequencies: M(c, k) = θ[c·G + group(k)]
/// for each of the mask's planes c (1 when shared, C per channel). Free, symmetric, radial,
/// angular and radial×angular masks are all this with different groupings; the VJP sums
/// ∂L/∂M over each group.
struct GroupedMask {
  /// Group of every frequency of one H×W plane (unshifted layout), in 0..<groupCount.
  let groups: [Int32]
  let groupCount: Int
  let planes: Int
  let planeSize: Int

  var parameterCount: Int { planes * groupCount }

  init(groups: [Int32], groupCount: Int, request: MaskRequest) {
    self.groups = groups
    self.groupCount = groupCount
    self.planes = request.maskChannels
    self.planeSize = request.planeSize
  }

  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) {
    groups.withUnsafeBufferPointer { g in
      for c in 0..<planes {
        let t = c * groupCount, m = c * planeSize
        for k in 0..<planeSize { mask[m + k] = theta[t + Int(g[k])] }
      }
    }
  }

  func vjp(_ maskGradient: UnsafeBufferPointer<Float>, into out: UnsafeMutableBufferPointer<Float>) {
    for i in out.indices { out[i] = 0 }
    groups.withUnsafeBufferPointer { g in
      for c in 0..<planes {
        let t = c * groupCount, m = c * planeSize
        for k in 0..<planeSize { out[t + Int(g[k])] += maskGradient[m + k] }
      }
    }
  }
}

/// Options every clamped mask shares: the initial value and whether to clamp to [0, 1].
enum ClampedMaskOptions {
  static let parameters: [PluginParameter] = [
    .float("init", default: 1, min: 0, max: 1, help: "initial value of every parameter (the paper: 1, the identity mask)"),
    .bool("clamp", default: true, help: "clamp parameters to [0, 1] after each optimiser step (the paper does)"),
  ]

  static func clamp(_ theta: UnsafeMutableBufferPointer<Float>, enabled: Bool) {
    guard enabled else { return }
    for i in theta.indices { theta[i] = min(1, max(0, theta[i])) }
  }
}

/// A mask plugin whose θ is one value per group of a `GroupedMask`, starting at `initial` and
/// clamped to [0, 1] when `clamp` (symmetric, radial, angular, radial×angular).
protocol GroupedMaskPlugin: MaskPlugin {
  var grouped: GroupedMask { get }
  var initial: Float { get }
  var clamp: Bool { get }
}

extension GroupedMaskPlugin {
  var parameterCount: Int { grouped.parameterCount }

  func initialParameters() throws -> [Float] { [Float](repeating: initial, count: parameterCount) }

  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws {
    grouped.forward(theta, into: mask)
  }

  func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
           into thetaGradient: UnsafeMutableBufferPointer<Float>) throws {
    grouped.vjp(maskGradient, into: thetaGradient)
  }

  func project(_ theta: UnsafeMutableBufferPointer<Float>) throws {
    ClampedMaskOptions.clamp(theta, enabled: clamp)
  }
}
