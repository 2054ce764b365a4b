/// A classifier that sees its input through a fixed frequency mask, applied to the
/// model's normalised input as in the paper: f(x) ↦ f(T⁻¹(M ⊙ T((x − μ)/σ))·σ + μ).
///
/// Wrapping keeps every probe general: accuracy through a mask, an attack on the masked
/// model, a Fourier heat map of the masked model are the ordinary probes run on this
/// classifier. Gradients flow through the mask (the transform's adjoint).
/// Not thread-safe: it keeps the transform of the last batch.
public final class MaskedClassifier: Classifier {
  public let base: Classifier
  /// One mask in the operator's layout.
  public let mask: [Float]
  private let normalization: Normalization
  /// σ of every channel (a single std applies to all).
  private let channelStd: [Float]
  private let maskOperator: MaskOperator

  public init(base: Classifier, mask: [Float], transform: TransformKind, layout: MaskLayout) throws {
    let d = base.description
    guard d.input.count == 3 else { throw FourierLensError.shapeMismatch("model input must be [C, H, W], got \(d.input)") }
    maskOperator = try MaskOperator(kind: transform, channels: d.input[0], height: d.input[1], width: d.input[2], layout: layout)
    guard mask.count == maskOperator.maskShape.reduce(1, *) else {
      throw FourierLensError.shapeMismatch("a \(layout.rawValue) mask for input \(d.input) needs shape \(maskOperator.maskShape), got \(mask.count) values")
    }
    guard mask.allSatisfy(\.isFinite) else { throw FourierLensError.nonFinite("the mask") }
    self.base = base
    self.mask = mask
    guard d.std.count == 1 || d.std.count == d.input[0] else {
      throw FourierLensError.shapeMismatch("the model has \(d.std.count) normalisation stds for \(d.input[0]) channels")
    }
    normalization = try Normalization(mean: d.mean, std: d.std)
    channelStd = (0..<d.input[0]).map { d.std.count == 1 ? d.std[0] : d.std[$0] }
  }

  public var description: ModelDescription {
    var d = base.description
    d.training["seen_through_mask"] = "true"
    return d
  }

  /// The pixel-space images the base model sees.
  public func masked(_ input: Tensor) throws -> Tensor {
    var n = input
    try normalization.normalize(&n)
    try maskOperator.setInput(n)
    var out = try maskOperator.apply(masks: mask, maskCount: 1, assignment: nil)
    try normalization.denormalize(&out)
    return out
  }

  public func logits(_ input: Tensor) throws -> [Float] {
    try base.logits(masked(input))
  }

  public func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    var r = try base.lossAndGradient(masked(input), objective: objective, sampleWeights: sampleWeights)
    // x' = σ·A((x − μ)/σ) + μ per channel, so ∂L/∂x = Aᵀ(σ ⊙ g) / σ.
    var g = r.inputGradient
    scale(&g, byStd: true)
    var back = try maskOperator.inputGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)
    scale(&back, byStd: false)
    r.inputGradient = back
    return r
  }

  private func scale(_ t: inout Tensor, byStd multiply: Bool) {
    let c = t.shape[1], plane = t.shape[2] * t.shape[3]
    let std = channelStd
    t.data.withUnsafeMutableBufferPointer { buf in
      for i in 0..<t.shape[0] {
        for ch in 0..<c {
          let s = multiply ? std[ch] : 1 / std[ch]
          let base = (i * c + ch) * plane
          for j in base ..< base + plane { buf[j] *= s }
        }
      }
    }
  }
}
