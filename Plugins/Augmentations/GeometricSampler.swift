import Foundation
import FourierLensPluginKit

/// Bilinear resampling of every channel of one image through a map from output pixel to
/// source position (pixel centres at integer coordinates). Taps outside the image read 0
/// (`fill=zero`, the default: new area is black, as torchvision's affine transforms fill)
/// or the nearest edge pixel (`fill=edge`).
struct GeometricSampler {
  enum Fill: String { case zero, edge }

  static let fillParameter = PluginParameter.choice(
    "fill", ["zero", "edge"], default: "zero", help: "value of pixels from outside the image: 0, or the nearest edge pixel")

  let fill: Fill

  init(fill: Fill) { self.fill = fill }

  /// The sampler of a plugin's `fill` option (`fillParameter`).
  init(options: PluginOptions) throws { fill = Fill(rawValue: try options.string("fill"))! }

  /// Warps every image of the batch through the source map that `draw` makes for it from the
  /// image's own random stream (seeded per image, so splitting a batch changes nothing).
  func warpEach(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64,
                draw: (inout HostRandom) throws -> (Float, Float) -> (Float, Float)) throws {
    var scratch: [Float] = []
    for n in 0..<shape.count {
      var rng = try imageRandom(seed, n)
      warp(images, image: n, shape: shape, scratch: &scratch, source: try draw(&rng))
    }
  }

  /// Resamples image `n` of `images` in place; `source(y, x)` gives the source (row, column).
  func warp(_ images: UnsafeMutableBufferPointer<Float>, image n: Int, shape: BatchShape,
            scratch: inout [Float], source: (Float, Float) -> (Float, Float)) {
    let (c, h, w) = (shape.channels, shape.height, shape.width)
    let base = n * shape.imageSize
    scratch.removeAll(keepingCapacity: true)
    scratch.append(contentsOf: images[base..<base + shape.imageSize])
    for y in 0..<h {
      for x in 0..<w {
        let (sy, sx) = source(Float(y), Float(x))
        let y0 = Int(sy.rounded(.down)), x0 = Int(sx.rounded(.down))
        let fy = sy - Float(y0), fx = sx - Float(x0)
        for ch in 0..<c {
          let plane = ch * h * w
          func tap(_ yy: Int, _ xx: Int) -> Float {
            if yy >= 0 && yy < h && xx >= 0 && xx < w { return scratch[plane + yy * w + xx] }
            if fill == .zero { return 0 }
            return scratch[plane + min(h - 1, max(0, yy)) * w + min(w - 1, max(0, xx))]
          }
          let top = tap(y0, x0) * (1 - fx) + tap(y0, x0 + 1) * fx
          let bottom = tap(y0 + 1, x0) * (1 - fx) + tap(y0 + 1, x0 + 1) * fx
          images[base + plane + y * w + x] = top * (1 - fy) + bottom * fy
        }
      }
    }
  }
}

/// The paper's standard augmentation: random-resized crop (torchvision's defaults: area
/// 8–100 %, aspect ratio 3/4–4/3, ten tries then a centre crop) resized back to H×W with
/// bilinear sampling, then a horizontal flip with probability 1/2.
final class BaseAugmentation: AugmentationPlugin {
  static let name = "base"
  static let summary = "random-resized crop (bilinear) + horizontal flip: the paper's standard training augmentation"
  static let parameters: [PluginParameter] = [
    .float("scale_min", default: 0.08, min: 0.001, max: 1, help: "smallest crop area, as a fraction of the image"),
    .float("scale_max", default: 1, min: 0.001, max: 1, help: "largest crop area fraction"),
    .float("ratio_min", default: 0.75, min: 0.01, max: 100, help: "smallest crop aspect ratio (width / height)"),
    .float("ratio_max", default: 4.0 / 3.0, min: 0.01, max: 100, help: "largest crop aspect ratio"),
    .float("flip", default: 0.5, min: 0, max: 1, help: "probability of a horizontal flip"),
  ]

  let scale: (Float, Float)
  let ratio: (Float, Float)
  let flip: Float

  init(options: PluginOptions) throws {
    scale = (try options.float("scale_min"), try options.float("scale_max"))
    ratio = (try options.float("ratio_min"), try options.float("ratio_max"))
    flip = try options.float("flip")
    guard scale.0 <= scale.1 else { throw PluginError.invalidArgument("scale_min is above scale_max") }
    guard ratio.0 <= ratio.1 else { throw PluginError.invalidArgument("ratio_min is above ratio_max") }
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let (H, W) = (Float(shape.height), Float(shape.width))
    try GeometricSampler(fill: .edge).warpEach(images, shape: shape, seed: seed) { rng in
      var crop = (top: Float(0), left: Float(0), height: H, width: W)
      var found = false
      for _ in 0..<10 {
        let area = H * W * (try rng.uniform(scale.0, scale.1))
        let logRatio = try rng.uniform(logf(ratio.0), logf(ratio.1))
        let r = expf(logRatio)
        let cw = (area * r).squareRoot().rounded(), ch = (area / r).squareRoot().rounded()
        if cw >= 1, ch >= 1, cw <= W, ch <= H {
          let top = (try rng.uniform(0, 1) * (H - ch + 1)).rounded(.down)
          let left = (try rng.uniform(0, 1) * (W - cw + 1)).rounded(.down)
          crop = (top, left, ch, cw)
          found = true
          break
        }
      }
      if !found {
        // torchvision's fallback: the largest centred crop within the ratio range.
        let inRatio = W / H
        var cw = W, ch = H
        if inRatio < ratio.0 { ch = (W / ratio.0).rounded() } else if inRatio > ratio.1 { cw = (H * ratio.1).rounded() }
        crop = (((H - ch) / 2).rounded(.down), ((W - cw) / 2).rounded(.down), ch, cw)
      }
      let flipped = try rng.uniform(0, 1) < flip
      let sy = crop.height / H, sx = crop.width / W
      return { y, x in
        let xx = flipped ? W - 1 - x : x
        return (crop.top + (y + 0.5) * sy - 0.5, crop.left + (xx + 0.5) * sx - 0.5)
      }
    }
  }
}

/// Random zoom about the centre by a factor s ~ U(min, max) (the paper: 0.5–1.5).
final class ScaleAugmentation: AugmentationPlugin {
  static let name = "scale"
  static let summary = "random zoom about the centre by a factor in [min, max] (the paper: 0.5-1.5), bilinear"
  static let parameters: [PluginParameter] = [
    .float("min", default: 0.5, min: 0.01, max: 100, help: "smallest scale factor"),
    .float("max", default: 1.5, min: 0.01, max: 100, help: "largest scale factor"),
    GeometricSampler.fillParameter,
  ]

  let range: (Float, Float)
  let sampler: GeometricSampler

  init(options: PluginOptions) throws {
    range = (try options.float("min"), try options.float("max"))
    guard range.0 <= range.1 else { throw PluginError.invalidArgument("min is above max") }
    sampler = try GeometricSampler(options: options)
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let cy = Float(shape.height - 1) / 2, cx = Float(shape.width - 1) / 2
    try sampler.warpEach(images, shape: shape, seed: seed) { rng in
      let s = try rng.uniform(range.0, range.1)
      return { y, x in (cy + (y - cy) / s, cx + (x - cx) / s) }
    }
  }
}

/// Random shift by up to ±fraction of the height and width (the paper: ±40 %).
final class TranslateAugmentation: AugmentationPlugin {
  static let name = "translate"
  static let summary = "random shift by up to +-fraction of the size in each direction (the paper: 40 %), bilinear"
  static let parameters: [PluginParameter] = [
    .float("fraction", default: 0.4, min: 0, max: 1, help: "largest shift as a fraction of height / width"),
    GeometricSampler.fillParameter,
  ]

  let fraction: Float
  let sampler: GeometricSampler

  init(options: PluginOptions) throws {
    fraction = try options.float("fraction")
    sampler = try GeometricSampler(options: options)
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    try sampler.warpEach(images, shape: shape, seed: seed) { rng in
      let ty = try rng.uniform(-fraction, fraction) * Float(shape.height)
      let tx = try rng.uniform(-fraction, fraction) * Float(shape.width)
      return { y, x in (y - ty, x - tx) }
    }
  }
}

/// Random rotation about the centre by an angle in ±degrees (the paper: ±180°).
final class RotateAugmentation: AugmentationPlugin {
  static let name = "rotate"
  static let summary = "random rotation about the centre by up to +-degrees (the paper: 180), bilinear"
  static let parameters: [PluginParameter] = [
    .float("degrees", default: 180, min: 0, max: 180, help: "largest rotation angle"),
    GeometricSampler.fillParameter,
  ]

  let degrees: Float
  let sampler: GeometricSampler

  init(options: PluginOptions) throws {
    degrees = try options.float("degrees")
    sampler = try GeometricSampler(options: options)
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let cy = Float(shape.height - 1) / 2, cx = Float(shape.width - 1) / 2
    try sampler.warpEach(images, shape: shape, seed: seed) { rng in
      let a = try rng.uniform(-degrees, degrees) * Float.pi / 180
      let (cs, sn) = (cosf(a), sinf(a))
      // Output (y, x) reads the source at the point rotated by −a about the centre.
      return { y, x in
        let dy = y - cy, dx = x - cx
        return (cy + cs * dy - sn * dx, cx + sn * dy + cs * dx)
      }
    }
  }
}
