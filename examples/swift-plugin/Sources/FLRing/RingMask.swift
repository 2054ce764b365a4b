import FourierLensPluginKit
import Foundation

/// A band-pass "ring" mask with a learned centre radius μ and width w:
///
///     M(k) = exp(−(r(k) − μ)² / (2w²))
///
/// where r is the normalised radius (0 at DC, 1 at the corner of the centred spectrum,
/// from the host's frequency grid). Two parameters per mask plane: θ = [μ, w].
/// Learning it asks: which single frequency scale does the model rely on most?
final class RingMask: MaskPlugin {
  static let name = "ring"
  static let summary = "Gaussian band-pass ring with a learned centre radius and width"
  static let parameters: [PluginParameter] = [
    .float("radius", default: 0.3, min: 0, max: 1.5, help: "initial centre radius (0 = DC, 1 = spectrum corner)"),
    .float("width", default: 0.2, min: 0.001, max: 2, help: "initial width (standard deviation in radius)"),
  ]

  let planes: Int
  let radius: [Float]
  let initial: (Float, Float)

  init(options: PluginOptions, request: MaskRequest) throws {
    planes = request.maskChannels
    initial = (try options.float("radius"), try options.float("width"))
    let (fy, fx) = try PluginHost.frequencyGrid(request.transform, height: request.height, width: request.width)
    let corner = Float(0.5 * 2.0.squareRoot())
    radius = zip(fy, fx).map { ($0 * $0 + $1 * $1).squareRoot() / corner }
  }

  var parameterCount: Int { 2 * planes }

  func initialParameters() throws -> [Float] {
    (0..<planes).flatMap { _ in [initial.0, initial.1] }
  }

  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws {
    let n = radius.count
    for c in 0..<planes {
      let (mu, w) = (theta[2 * c], theta[2 * c + 1])
      guard w > 0 else { throw PluginError.invalidArgument("ring width must be positive, got \(w)") }
      for k in 0..<n {
        let d = radius[k] - mu
        mask[c * n + k] = expf(-d * d / (2 * w * w))
      }
    }
  }

  /// ∂M/∂μ = M·(r − μ)/w², ∂M/∂w = M·(r − μ)²/w³.
  func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
           into thetaGradient: UnsafeMutableBufferPointer<Float>) throws {
    let n = radius.count
    for c in 0..<planes {
      let (mu, w) = (theta[2 * c], theta[2 * c + 1])
      guard w > 0 else { throw PluginError.invalidArgument("ring width must be positive, got \(w)") }
      var gMu: Float = 0, gW: Float = 0
      for k in 0..<n {
        let d = radius[k] - mu
        let m = expf(-d * d / (2 * w * w))
        let g = maskGradient[c * n + k] * m
        gMu += g * d / (w * w)
        gW += g * d * d / (w * w * w)
      }
      thetaGradient[2 * c] = gMu
      thetaGradient[2 * c + 1] = gW
    }
  }

  /// Keeps the centre in [0, 1.5] and the width in [0.01, 2].
  func project(_ theta: UnsafeMutableBufferPointer<Float>) throws {
    for c in 0..<planes {
      theta[2 * c] = min(1.5, max(0, theta[2 * c]))
      theta[2 * c + 1] = min(2, max(0.01, theta[2 * c + 1]))
    }
  }
}
