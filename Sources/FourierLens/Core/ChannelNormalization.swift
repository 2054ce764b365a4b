/// The per-channel affine map a model applies to pixel-space inputs: (x − mean) / std.
/// Mask learning works in this normalised space, as in the paper.
public struct ChannelNormalization: Equatable, Sendable {
  public let mean: [Float]
  public let std: [Float]

  /// Validates that there is one finite mean and one positive finite std per channel.
  public init(mean: [Float], std: [Float], channels: Int) throws {
    guard mean.count == channels, std.count == channels else {
      throw FourierLensError.shapeMismatch("normalisation has \(mean.count) means and \(std.count) stds for \(channels) channels")
    }
    guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
      throw FourierLensError.badOption(name: "mean/std", reason: "means must be finite and stds finite and > 0")
    }
    self.mean = mean
    self.std = std
  }

  /// x ← (x − mean_c) / std_c for an NCHW batch.
  public func normalize(_ x: inout Tensor) { map(&x) { v, m, s in (v - m) / s } }

  /// x ← x · std_c + mean_c for an NCHW batch.
  public func denormalize(_ x: inout Tensor) { map(&x) { v, m, s in v * s + m } }

  private func map(_ x: inout Tensor, _ f: (Float, Float, Float) -> Float) {
    precondition(x.rank == 4 && x.shape[1] == mean.count)
    let c = x.shape[1], plane = x.shape[2] * x.shape[3], n = x.shape[0]
    x.data.withUnsafeMutableBufferPointer { buf in
      for i in 0..<n {
        for ch in 0..<c {
          let (m, s) = (mean[ch], std[ch])
          let base = (i * c + ch) * plane
          for j in base ..< base + plane { buf[j] = f(buf[j], m, s) }
        }
      }
    }
  }
}
