import FourierLensPluginKit

/// The paper's mask: one value per frequency (θ = M), initialised to 1, clamped to [0, 1].
/// Shared (H×W) or per channel (C×H×W), as the host requests.
final class FreeMask: MaskPlugin {
  static let name = "free"
  static let summary = "one learned value per frequency (the paper's mask), clamped to [0, 1]"
  static let parameters = ClampedMaskOptions.parameters

  let count: Int
  let initial: Float
  let clamp: Bool

  init(options: PluginOptions, request: MaskRequest) throws {
    count = request.maskCount
    initial = try options.float("init")
    clamp = try options.bool("clamp")
  }

  var parameterCount: Int { count }

  func initialParameters() throws -> [Float] { [Float](repeating: initial, count: count) }

  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws {
    for i in 0..<count { mask[i] = theta[i] }
  }

  func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
           into thetaGradient: UnsafeMutableBufferPointer<Float>) throws {
    for i in 0..<count { thetaGradient[i] = maskGradient[i] }
  }

  func project(_ theta: UnsafeMutableBufferPointer<Float>) throws {
    ClampedMaskOptions.clamp(theta, enabled: clamp)
  }
}
