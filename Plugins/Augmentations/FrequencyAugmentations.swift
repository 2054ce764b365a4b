import Foundation
import FourierLensPluginKit

/// Normalised radius (0 = DC, 1 = corner of the centred spectrum) of every DFT frequency.
func dftRadius(_ h: Int, _ w: Int) throws -> [Float] {
  let (fy, fx) = try PluginHost.frequencyGrid(.dft, height: h, width: w)
  let corner = Float(0.5 * 2.0.squareRoot())
  return zip(fy, fx).map { ($0 * $0 + $1 * $1).squareRoot() / corner }
}

/// Filters every channel through a radial DFT mask with the host's mask operator.
func radialFilter(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, mask: (Float) -> Float,
                  keepDC: Bool = false) throws {
  var m = try dftRadius(shape.height, shape.width).map(mask)
  if keepDC { m[0] = 1 }
  try m.withUnsafeBufferPointer { try PluginHost.applyMask(.dft, images: images, shape: shape, mask: $0, maskChannels: 1) }
}

/// Low-pass filter: keeps DFT frequencies with normalised radius ≤ radius (ideal, `hard`)
/// or weights them by a Gaussian with M = 1/2 at the radius. Deterministic.
final class LowpassAugmentation: AugmentationPlugin {
  static let name = "lowpass"
  static let summary = "low-pass filter in the DFT domain (ideal or Gaussian) at a normalised radius"
  static let parameters: [PluginParameter] = [
    .float("radius", default: 0.5, min: 0, max: 1, help: "cut-off radius (0 = DC, 1 = spectrum corner)"),
    .choice("shape", ["hard", "gaussian"], default: "hard", help: "ideal cut-off or a Gaussian roll-off (1/2 at the radius)"),
  ]

  let radius: Float
  let gaussian: Bool

  init(options: PluginOptions) throws {
    radius = try options.float("radius")
    gaussian = try options.string("shape") == "gaussian"
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let r0 = radius, gaussian = gaussian
    try radialFilter(images, shape: shape, mask: { r in
      gaussian ? (r0 > 0 ? expf(-logf(2) * (r / r0) * (r / r0)) : (r == 0 ? 1 : 0)) : (r <= r0 + 1e-6 ? 1 : 0)
    })
    clampUnit(images)
  }
}

/// High-pass filter: removes DFT frequencies with normalised radius < radius. The image
/// mean (DC) is kept by default so that the result stays a visible image in [0, 1].
final class HighpassAugmentation: AugmentationPlugin {
  static let name = "highpass"
  static let summary = "high-pass filter in the DFT domain: drop frequencies below a normalised radius (keeps the mean)"
  static let parameters: [PluginParameter] = [
    .float("radius", default: 0.1, min: 0, max: 1, help: "cut-off radius (0 = DC, 1 = spectrum corner)"),
    .bool("keep_dc", default: true, help: "keep each channel's mean"),
  ]

  let radius: Float
  let keepDC: Bool

  init(options: PluginOptions) throws {
    radius = try options.float("radius")
    keepDC = try options.bool("keep_dc")
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let r0 = radius
    try radialFilter(images, shape: shape, mask: { r in r >= r0 - 1e-6 ? 1 : 0 }, keepDC: keepDC)
    clampUnit(images)
  }
}

/// Gaussian noise restricted to a radial DFT band [rmin, rmax], scaled so that its RMS
/// per channel is sigma, added and clamped.
final class BandNoiseAugmentation: AugmentationPlugin {
  static let name = "band-noise"
  static let summary = "Gaussian noise band-limited to radii [rmin, rmax], RMS sigma per channel"
  static let parameters: [PluginParameter] = [
    .float("sigma", default: 0.05, min: 0, max: 10, help: "RMS of the noise per channel, in pixel units"),
    .float("rmin", default: 0.5, min: 0, max: 1, help: "inner radius of the band (0 = DC, 1 = spectrum corner)"),
    .float("rmax", default: 1, min: 0, max: 1, help: "outer radius of the band"),
  ]

  let sigma: Float
  let rmin: Float
  let rmax: Float

  init(options: PluginOptions) throws {
    sigma = try options.float("sigma")
    rmin = try options.float("rmin")
    rmax = try options.float("rmax")
    guard rmin <= rmax else { throw PluginError.invalidArgument("rmin is above rmax") }
  }

  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws {
    let d = shape.imageSize, hw = shape.planeSize
    var noise = [Float](repeating: 0, count: shape.elementCount)
    for n in 0..<shape.count {
      var rng = try imageRandom(seed, n)
      try noise.withUnsafeMutableBufferPointer { try rng.fillGaussian(UnsafeMutableBufferPointer(rebasing: $0[n * d..<(n + 1) * d])) }
    }
    let (lo, hi) = (rmin, rmax)
    try noise.withUnsafeMutableBufferPointer { p in
      try radialFilter(p, shape: shape, mask: { r in r >= lo - 1e-6 && r <= hi + 1e-6 ? 1 : 0 })
    }
    for plane in 0..<shape.count * shape.channels {
      var ss: Float = 0
      for p in 0..<hw { ss += noise[plane * hw + p] * noise[plane * hw + p] }
      let rms = (ss / Float(hw)).squareRoot()
      let f = rms > 0 ? sigma / rms : 0
      for p in 0..<hw { images[plane * hw + p] += f * noise[plane * hw + p] }
    }
    clampUnit(images)
  }
}
