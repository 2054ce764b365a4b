import Foundation
import FourierLensPluginKit

/// PGD whose perturbation lives in a frequency band: a radial range × orientation range,
/// or the support of a mask file (M > threshold). The band is a 0/1 mask B in the
/// transform's domain, made point-symmetric for the DFT (B(k) = B(−k)), so that
/// P(v) = T⁻¹(B ⊙ T(v)) — the host's mask operator — is an orthogonal projection: the
/// gradient is projected with P, steps stay in the band, and the ε-ball constraint is
/// met by scaling (which keeps the band). Only the final clamp to [0, 1] can move
/// energy out of the band, at saturated pixels; it never increases the norm.
final class BandPGDAttack: AttackPlugin {
  static let name = "pgd-band"
  static let summary = "PGD with the perturbation restricted to a radial/angular frequency band or a mask's support"
  static let parameters: [PluginParameter] = [
    .choice("norm", ["l2", "linf"], default: "l2", help: "budget norm"),
    .float("eps", default: 0.5, min: 0, max: 1000, help: "budget (L2 per image, or L-infinity)"),
    .float("alpha", default: 0, min: 0, max: 1000, help: "step size; 0: 2.5 * eps / steps"),
    AttackOptions.steps, AttackOptions.restarts, AttackOptions.randomStart,
    .choice("transform", ["dft", "dct"], default: "dft", help: "domain of the band"),
    .float("rmin", default: 0, min: 0, max: 1, help: "inner radius of the band (0 = DC, 1 = spectrum corner), inclusive"),
    .float("rmax", default: 1, min: 0, max: 1, help: "outer radius of the band, inclusive"),
    .float("amin", default: 0, min: 0, max: 180, help: "orientation range start in degrees, counter-clockwise from horizontal (DFT: modulo 180; DCT: 0-90)"),
    .float("amax", default: 180, min: 0, max: 180, help: "orientation range end in degrees (exclusive, except 180/90 which include everything)"),
    .string("mask", default: "", help: "a .npy mask ([H, W] or [C, H, W], unshifted layout); the band is where it exceeds threshold"),
    .float("threshold", default: 0.5, help: "mask values above this are in the band"),
    AttackOptions.space, AttackOptions.targeted, AttackOptions.target, AttackOptions.loss,
  ]

  let config: PGDConfig
  let transform: MaskTransform
  let rmin: Float, rmax: Float, amin: Float, amax: Float
  let maskFile: NpyMaskFile?
  let threshold: Float

  init(options: PluginOptions) throws {
    let eps = try options.float("eps")
    let alpha = try options.float("alpha")
    let steps = try options.int("steps")
    config = try PGDConfig(try options.string("norm") == "linf" ? .linf : .l2, eps: eps,
                           alpha: alpha > 0 ? alpha : 2.5 * eps / Float(steps), steps: steps, options: options)
    transform = try options.string("transform") == "dct" ? .dct : .dft
    rmin = try options.float("rmin")
    rmax = try options.float("rmax")
    amin = try options.float("amin")
    amax = try options.float("amax")
    guard rmin <= rmax else { throw PluginError.invalidArgument("rmin \(rmin) is above rmax \(rmax)") }
    guard amin < amax else { throw PluginError.invalidArgument("amin \(amin) must be below amax \(amax)") }
    threshold = try options.float("threshold")
    let path = try options.string("mask")
    maskFile = path.isEmpty ? nil : try NpyMaskFile(path: path)
  }

  func run(model: PluginModel, images: UnsafeBufferPointer<Float>, shape: BatchShape, labels: UnsafeBufferPointer<Int32>,
           seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws {
    let band = try bandMask(shape)
    try PGD.run(config, projector: band, model: model, images: images, shape: shape, labels: labels, seed: seed, output: output)
  }

  /// The 0/1 band for images of `shape`.
  func bandMask(_ shape: BatchShape) throws -> BandProjector {
    let (h, w) = (shape.height, shape.width)
    var planes = 1
    var mask: [Float]
    if let file = maskFile {
      let fileHW = Array(file.shape.suffix(2))
      guard fileHW == [h, w] else { throw PluginError.invalidArgument("the mask is \(fileHW[0])x\(fileHW[1]), the images \(h)x\(w)") }
      planes = file.shape.count == 3 ? file.shape[0] : 1
      guard planes == 1 || planes == shape.channels else {
        throw PluginError.invalidArgument("the mask has \(planes) planes for images of \(shape.channels) channels")
      }
      mask = file.values.map { $0 > threshold ? 1 : 0 }
    } else {
      let (fy, fx) = try PluginHost.frequencyGrid(transform, height: h, width: w)
      let corner = Float(0.5 * 2.0.squareRoot())
      let fullCircle = transform == .dft ? amin <= 0 && amax >= 180 : amin <= 0 && amax >= 90
      mask = (0..<h * w).map { k in
        let r = (fy[k] * fy[k] + fx[k] * fx[k]).squareRoot() / corner
        guard r >= rmin - 1e-6 && r <= rmax + 1e-6 else { return 0 }
        if fullCircle || (fy[k] == 0 && fx[k] == 0) { return 1 }
        let degrees = Self.orientation(fy[k], fx[k], transform) * 180 / Float.pi
        return degrees >= amin && degrees < amax ? 1 : 0
      }
    }
    if transform == .dft {
      // B(k) = max(B(k), B(−k)) per plane: real perturbations need symmetric bands.
      for p in 0..<planes {
        let base = p * h * w
        for y in 0..<h {
          for x in 0..<w {
            let m = base + ((h - y) % h) * w + (w - x) % w
            let v = max(mask[base + y * w + x], mask[m])
            mask[base + y * w + x] = v
            mask[m] = v
          }
        }
      }
    }
    guard mask.contains(1) else { throw PluginError.invalidArgument("the band contains no frequencies for \(h)x\(w) images") }
    return BandProjector(transform: transform, mask: mask, planes: planes)
  }

  /// Orientation in [0, π) (DFT, as displayed: up is −fy) or [0, π/2] (DCT).
  static func orientation(_ fy: Float, _ fx: Float, _ transform: MaskTransform) -> Float {
    if transform == .dct { return atan2f(fy, fx) }
    var a = atan2f(-fy, fx)
    if a < 0 { a += Float.pi }
    return a >= Float.pi ? 0 : a
  }
}

/// P(v) = T⁻¹(B ⊙ T(v)) through the host's mask operator.
struct BandProjector: PerturbationProjector {
  let transform: MaskTransform
  let mask: [Float]
  let planes: Int

  func project(_ values: UnsafeMutableBufferPointer<Float>, shape: BatchShape) throws {
    try mask.withUnsafeBufferPointer {
      try PluginHost.applyMask(transform, images: values, shape: shape, mask: $0, maskChannels: planes)
    }
  }
}
