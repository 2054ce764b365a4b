import Foundation
import FourierLensPluginKit

/// The Fourier-basis perturbation of Yin et al. (2019), "A Fourier perspective on model
/// robustness": x̃ = clamp(x + r·v·U_{i,j}) per channel, where U_{i,j} is the real,
/// unit-L2-norm Fourier basis image of frequency (i, j) (and its mirror (−i, −j)), v the
/// norm, and r a random sign drawn independently per channel. The perturbation of each
/// channel has L2 norm v before clamping (an image's total ≤ v·√C). Frequencies are
/// signed and centred (i vertical, j horizontal; (0, 0) is DC); `random=true` picks one
/// uniformly per image (DC excluded). The model is not queried.
final class FourierNoiseAttack: AttackPlugin {
  static let name = "fourier-noise"
  static let summary = "Fourier-basis noise of a given L2 norm at frequency (i, j) or at random (Yin et al. 2019)"
  static let parameters: [PluginParameter] = [
    .float("norm", default: 4, min: 0, max: 1000, help: "L2 norm v of the perturbation per channel (Yin et al. use 4 on CIFAR-10)"),
    .int("i", default: 1, help: "vertical frequency, signed, centred (wraps modulo H)"),
    .int("j", default: 0, help: "horizontal frequency, signed, centred (wraps modulo W)"),
    .bool("random", default: false, help: "pick a random non-DC frequency per image instead of (i, j)"),
  ]

  let norm: Float
  let i: Int
  let j: Int
  let random: Bool

  init(options: PluginOptions) throws {
    norm = try options.float("norm")
    i = try options.int("i")
    j = try options.int("j")
    random = try options.bool("random")
  }

  /// The unit-norm real basis image of frequency (ky, kx) for H×W.
  static func basis(_ ky: Int, _ kx: Int, height h: Int, width w: Int) throws -> [Float] {
    var re = [Float](repeating: 0, count: h * w)
    let im = re
    let y = ((ky % h) + h) % h, x = ((kx % w) + w) % w
    re[y * w + x] = 1
    re[((h - y) % h) * w + (w - x) % w] = 1
    var out = [Float](repeating: 0, count: h * w)
    try re.withUnsafeBufferPointer { r in
      try im.withUnsafeBufferPointer { m in
        try out.withUnsafeMutableBufferPointer { o in
          try PluginHost.transformInverse(.dft, planes: 1, height: h, width: w, real: r, imag: m, output: o)
        }
      }
    }
    let n = (out.reduce(0) { $0 + $1 * $1 }).squareRoot()
    guard n > 0 else { throw PluginError.numerical("the basis image of (\(ky), \(kx)) is zero") }
    return out.map { $0 / n }
  }

  func run(model: PluginModel, images: UnsafeBufferPointer<Float>, shape: BatchShape, labels: UnsafeBufferPointer<Int32>,
           seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws {
    let (h, w, c, hw) = (shape.height, shape.width, shape.channels, shape.planeSize)
    var rng = HostRandom(seed: seed)
    let fixed = random ? nil : try Self.basis(i, j, height: h, width: w)
    guard random ? hw > 1 : true else { throw PluginError.invalidArgument("random frequencies need images larger than 1x1") }
    for n in 0..<shape.count {
      let u: [Float]
      if let fixed {
        u = fixed
      } else {
        let k = 1 + (try rng.index(below: hw - 1))  // skip DC
        u = try Self.basis(k / w, k % w, height: h, width: w)
      }
      for ch in 0..<c {
        let sign: Float = try rng.uniform(0, 1) < 0.5 ? -1 : 1
        let base = (n * c + ch) * hw
        for p in 0..<hw { output[base + p] = min(1, max(0, images[base + p] + sign * norm * u[p])) }
      }
    }
  }
}
