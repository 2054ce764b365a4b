/// A classifier that runs the mask-learning pass itself, with the frequency stage where its
/// data lives (libtorch's FFT on a GPU): for images x with masks M,
/// x_M = T⁻¹(M ⊙ T((x − μ)/σ)), the network on x_M, one loss per image; then ∂(Σᵢ wᵢℓᵢ)/∂M.
///
/// `MaskLearner` uses this path when `prefersOwnFrequencyStage` is true. Otherwise it runs the
/// frequency stage on the CPU (`MaskOperator`, FFTW) and asks the classifier for input
/// gradients only; both paths compute the same numbers (checked in the tests).
public protocol OwnFrequencyStage: Classifier {
  var prefersOwnFrequencyStage: Bool { get }

  /// The forward pass. `masks` holds `maskCount` masks of `layout`'s shape back to back, in
  /// `transform`'s unshifted layout; image i uses mask `assignment[i]` (nil: all use mask 0).
  func maskedPass(_ images: Tensor, transform: TransformKind, layout: MaskLayout, masks: [Float], maskCount: Int,
                  assignment: [Int]?, objective: Objective) throws -> MaskedPass
}

/// One masked forward pass, kept for its backward pass.
public protocol MaskedPass: AnyObject {
  /// ℓᵢ per image, in double precision.
  var perSampleLoss: [Double] { get }
  /// Logits through the masks, row-major [N, K].
  var logits: [Float] { get }
  /// ∂(Σᵢ lossWeights[i]·ℓᵢ)/∂masks, `maskCount` masks back to back. Once per pass.
  func maskGradient(lossWeights: [Float]) throws -> [Float]
}
