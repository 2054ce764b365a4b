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
  private let masking: NormalizedMasking

  public init(base: Classifier, mask: [Float], transform: TransformKind, layout: MaskLayout) throws {
    let d = base.description
    masking = try NormalizedMasking(model: d, transform: transform, layout: layout)
    let maskShape = masking.maskOperator.maskShape
    guard mask.count == maskShape.reduce(1, *) else {
      throw FourierLensError.shapeMismatch("a \(layout.rawValue) mask for input \(d.input) needs shape \(maskShape), got \(mask.count) values")
    }
    guard mask.allSatisfy(\.isFinite) else { throw FourierLensError.nonFinite("the mask") }
    self.base = base
    self.mask = mask
  }

  public var description: ModelDescription {
    var d = base.description
    d.training.seenThroughMask = true
    return d
  }

  /// The pixel-space images the base model sees.
  public func masked(_ input: Tensor) throws -> Tensor {
    try masking.apply(input, masks: mask, maskCount: 1, assignment: nil)
  }

  public func logits(_ input: Tensor) throws -> [Float] {
    try base.logits(masked(input))
  }

  public func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    var r = try base.lossAndGradient(masked(input), objective: objective, sampleWeights: sampleWeights)
    // x' = σ·A((x − μ)/σ) + μ per channel, so ∂L/∂x = Aᵀ(σ ⊙ g) / σ.
    var g = r.inputGradient
    masking.scaleToNormalizedSpace(&g)
    var back = try masking.maskOperator.inputGradient(masks: mask, maskCount: 1, assignment: nil, outputGradient: g)
    masking.scaleToPixelSpace(&back)
    r.inputGradient = back
    return r
  }
}
