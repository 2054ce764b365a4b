/// A frequency mask applied where the paper applies it, to the model's normalised input:
/// x ↦ σ·T⁻¹(M ⊙ T((x − μ)/σ)) + μ per channel, and the σ-scalings that carry gradients
/// between pixel space and normalised space. `MaskedClassifier` (one fixed mask) and
/// `MaskLearner` (masks being learned) both mask through this one definition.
///
/// Not thread-safe: the operator keeps the transform of the last batch.
struct NormalizedMasking {
  let maskOperator: MaskOperator
  private let normalization: Normalization
  /// σ of every channel (a single std applies to all).
  private let channelStd: [Float]

  init(model d: ModelDescription, transform: TransformKind, layout: MaskLayout) throws {
    guard d.input.count == 3 else {
      throw FourierLensError.shapeMismatch("model input must be [C, H, W], got \(d.input)")
    }
    guard d.std.count == 1 || d.std.count == d.input[0] else {
      throw FourierLensError.shapeMismatch("the model has \(d.std.count) normalisation stds for \(d.input[0]) channels")
    }
    normalization = try Normalization(mean: d.mean, std: d.std)
    channelStd = (0..<d.input[0]).map { d.std.count == 1 ? d.std[0] : d.std[$0] }
    maskOperator = try MaskOperator(kind: transform, channels: d.input[0], height: d.input[1], width: d.input[2],
                                    layout: layout)
  }

  /// x_M in pixel space: normalise, mask in the frequency domain, de-normalise. Keeps the
  /// batch's transform in the operator for the adjoints that follow.
  func apply(_ images: Tensor, masks: [Float], maskCount: Int, assignment: [Int]?) throws -> Tensor {
    var normalised = images
    try normalization.normalize(&normalised)
    try maskOperator.setInput(normalised)
    var xM = try maskOperator.apply(masks: masks, maskCount: maskCount, assignment: assignment)
    try normalization.denormalize(&xM)
    return xM
  }

  /// Multiplies image i's gradient by wᵢ (1 when `sampleWeights` is nil) and by σ of its
  /// channel: ∂L/∂x_M in pixel space becomes ∂L/∂(normalised x_M).
  func scaleToNormalizedSpace(_ g: inout Tensor, sampleWeights: [Float]? = nil) {
    scale(&g) { image, channel in (sampleWeights?[image] ?? 1) * channelStd[channel] }
  }

  /// Divides each channel by its σ: a gradient in normalised space becomes one in pixel space.
  func scaleToPixelSpace(_ g: inout Tensor) {
    scale(&g) { _, channel in 1 / channelStd[channel] }
  }

  private func scale(_ t: inout Tensor, by factor: (_ image: Int, _ channel: Int) -> Float) {
    let c = t.shape[1], plane = t.shape[2] * t.shape[3], n = t.shape[0]
    t.data.withUnsafeMutableBufferPointer { buf in
      for i in 0..<n {
        for ch in 0..<c {
          let s = factor(i, ch)
          let base = (i * c + ch) * plane
          for j in base ..< base + plane { buf[j] *= s }
        }
      }
    }
  }
}
