import Foundation
import FourierLensPluginKit

/// Additive Gaussian noise of standard deviation sigma, then clamped to [0, 1].
final class GaussianNoiseAugmentation: AugmentationPlugin {
  static let name = "gaussian-noise"
  static let summary = "additive Gaussian pixel noise of standard deviation sigma, clamped to [0, 1]"
  static let parameters: [PluginParameter] = [
    .float("sigma", default: 0.05, min: 0, max: 10, help: "noise standard deviation in pixel units"),
  ]

  let sigma: Float

  init(options: PluginOptions) throws { sigma = try options.float("sigma") }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let d = shape.imageSize
    var noise = [Float](repeating: 0, count: d)
    for n in 0..<shape.count {
      var rng = try imageRandom(seed, n)
      try noise.withUnsafeMutableBufferPointer { try rng.fillGaussian($0) }
      for j in 0..<d { images[n * d + j] += sigma * noise[j] }
    }
    clampUnit(images)
  }
}

/// Gaussian blur (separable kernel of radius ⌈3σ⌉, edges replicated). Deterministic.
final class BlurAugmentation: AugmentationPlugin {
  static let name = "blur"
  static let summary = "Gaussian blur of standard deviation sigma pixels (edges replicated)"
  static let parameters: [PluginParameter] = [
    .float("sigma", default: 1, min: 0, max: 100, help: "blur standard deviation in pixels"),
  ]

  let kernel: [Float]

  init(options: PluginOptions) throws {
    let sigma = try options.float("sigma")
    if sigma == 0 {
      kernel = [1]
    } else {
      let r = Int((3 * sigma).rounded(.up))
      let k = (-r...r).map { expf(-Float($0 * $0) / (2 * sigma * sigma)) }
      let sum = k.reduce(0, +)
      kernel = k.map { $0 / sum }
    }
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let (h, w) = (shape.height, shape.width)
    let r = kernel.count / 2
    var tmp = [Float](repeating: 0, count: h * w)
    for plane in 0..<shape.count * shape.channels {
      let base = plane * h * w
      for y in 0..<h {
        for x in 0..<w {
          var s: Float = 0
          for t in -r...r { s += kernel[t + r] * images[base + y * w + min(w - 1, max(0, x + t))] }
          tmp[y * w + x] = s
        }
      }
      for y in 0..<h {
        for x in 0..<w {
          var s: Float = 0
          for t in -r...r { s += kernel[t + r] * tmp[min(h - 1, max(0, y + t)) * w + x] }
          images[base + y * w + x] = s
        }
      }
    }
    clampUnit(images)
  }
}

/// Contrast change about each image's mean: x' = m + f·(x − m), f ~ U(min, max) per image
/// (min = max for a fixed factor; f < 1 lowers contrast, as in the common corruption).
final class ContrastAugmentation: AugmentationPlugin {
  static let name = "contrast"
  static let summary = "scale contrast about the image mean by a factor in [min, max], clamped to [0, 1]"
  static let parameters: [PluginParameter] = [
    .float("min", default: 0.5, min: 0, max: 100, help: "smallest contrast factor"),
    .float("max", default: 1.5, min: 0, max: 100, help: "largest contrast factor"),
  ]

  let range: (Float, Float)

  init(options: PluginOptions) throws {
    range = (try options.float("min"), try options.float("max"))
    guard range.0 <= range.1 else { throw PluginError.invalidArgument("min is above max") }
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let d = shape.imageSize
    for n in 0..<shape.count {
      var rng = try imageRandom(seed, n)
      let f = try rng.uniform(range.0, range.1)
      var mean: Float = 0
      for j in 0..<d { mean += images[n * d + j] }
      mean /= Float(d)
      for j in 0..<d { images[n * d + j] = mean + f * (images[n * d + j] - mean) }
    }
    clampUnit(images)
  }
}

/// Cutout (DeVries & Taylor 2017): `count` squares of side `size`·min(H, W), centred
/// uniformly at random (clipped at the border), set to `value` in every channel.
final class CutoutAugmentation: AugmentationPlugin {
  static let name = "cutout"
  static let summary = "set random squares (side = size * min(H, W)) to a constant"
  static let parameters: [PluginParameter] = [
    .float("size", default: 0.5, min: 0, max: 1, help: "side of each square as a fraction of the smaller image side (CIFAR: 16/32)"),
    .int("count", default: 1, min: 0, max: 1000, help: "squares per image"),
    .float("value", default: 0, min: 0, max: 1, help: "fill value"),
  ]

  let size: Float
  let count: Int
  let value: Float

  init(options: PluginOptions) throws {
    size = try options.float("size")
    count = try options.int("count")
    value = try options.float("value")
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let (c, h, w) = (shape.channels, shape.height, shape.width)
    let side = Int((size * Float(min(h, w))).rounded())
    guard side > 0 else { return }
    for n in 0..<shape.count {
      var rng = try imageRandom(seed, n)
      for _ in 0..<count {
        let cy = try rng.index(below: h), cx = try rng.index(below: w)
        let y0 = max(0, cy - side / 2), y1 = min(h, cy - side / 2 + side)
        let x0 = max(0, cx - side / 2), x1 = min(w, cx - side / 2 + side)
        guard y0 < y1, x0 < x1 else { continue }
        for ch in 0..<c {
          let base = (n * c + ch) * h * w
          for y in y0..<y1 { for x in x0..<x1 { images[base + y * w + x] = value } }
        }
      }
    }
  }
}
