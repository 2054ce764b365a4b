/// Per-channel normalisation (x − mean) / std: the space a model sees. Kept separate from
/// the data so that masks and attacks know which space they act in (see DESIGN.md).
public struct Normalization: Equatable, Sendable {
  public let mean: [Float]
  public let std: [Float]

  /// One mean and one positive std per channel (or one of each for all channels).
  public init(mean: [Float], std: [Float]) throws {
    guard !mean.isEmpty, mean.count == std.count else {
      throw FourierLensError.shapeMismatch("normalisation needs as many means as stds, got \(mean.count) and \(std.count)")
    }
    guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw FourierLensError.nonFinite("normalisation mean \(mean) / std \(std): means must be finite and stds positive")
    }
    self.mean = mean
    self.std = std
  }

  /// The identity (mean 0, std 1) for any number of channels.
  public static let identity = try! Normalization(mean: [0], std: [1])

  /// Per channel (scale, shift) with y = x·scale + shift, and the channel/plane layout of `t`.
  private func layout(_ t: Tensor) throws -> (n: Int, c: Int, plane: Int) {
    guard t.rank == 4 || t.rank == 3 else {
      throw FourierLensError.shapeMismatch("normalisation needs [N, C, H, W] or [C, H, W], got \(t.shape)")
    }
    let c = t.shape[t.rank - 3]
    guard mean.count == 1 || mean.count == c else {
      throw FourierLensError.shapeMismatch("normalisation has \(mean.count) channels, images have \(c)")
    }
    return (t.rank == 4 ? t.shape[0] : 1, c, t.shape[t.rank - 2] * t.shape[t.rank - 1])
  }

  private func apply(_ t: inout Tensor, scale: (Int) -> Float, shift: (Int) -> Float) throws {
    let (n, c, plane) = try layout(t)
    t.data.withUnsafeMutableBufferPointer { d in
      for b in 0 ..< n {
        for k in 0 ..< c {
          let s = scale(k), o = shift(k)
          let base = (b * c + k) * plane
          for i in 0 ..< plane { d[base + i] = d[base + i] * s + o }
        }
      }
    }
  }

  private func channel(_ k: Int) -> (mean: Float, std: Float) {
    mean.count == 1 ? (mean[0], std[0]) : (mean[k], std[k])
  }

  /// Pixel space → model space, in place: (x − mean) / std per channel.
  public func normalize(_ t: inout Tensor) throws {
    try apply(&t, scale: { 1 / channel($0).std }, shift: { -channel($0).mean / channel($0).std })
  }

  /// Model space → pixel space, in place: x · std + mean per channel.
  public func denormalize(_ t: inout Tensor) throws {
    try apply(&t, scale: { channel($0).std }, shift: { channel($0).mean })
  }

  /// A normalised copy.
  public func normalized(_ t: Tensor) throws -> Tensor {
    var copy = t
    try normalize(&copy)
    return copy
  }

  /// A denormalised copy.
  public func denormalized(_ t: Tensor) throws -> Tensor {
    var copy = t
    try denormalize(&copy)
    return copy
  }

  /// Gradient with respect to pixel-space input from a gradient in model space (the chain
  /// rule through the per-channel affine map: divide by std).
  public func pixelGradient(fromModelGradient g: Tensor) throws -> Tensor {
    var copy = g
    try apply(&copy, scale: { 1 / channel($0).std }, shift: { _ in 0 })
    return copy
  }
}
