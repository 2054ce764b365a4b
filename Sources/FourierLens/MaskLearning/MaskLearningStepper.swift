import Foundation

/// Steps of dataset-mask learning on one fixed batch, through exactly the code `MaskLearner`
/// runs in its inner loop (`batchObjective`: normalise, T(x), mask, T⁻¹, the model's loss and
/// input gradient, the adjoint to ∂L/∂M, the sparsity term, the parameterization's VJP; then
/// `update`: Adam and the projection). Used by `flens bench mask-step` and by tests that
/// compare an optimised path with the plain one.
///
/// The clean reference (the model's loss on the unmasked batch) is computed once in `init`,
/// as `MaskLearner` computes it once per run.
public final class MaskLearningStepper {
  public let learner: MaskLearner
  public let batch: ImageBatch
  /// The current mask parameters θ.
  public private(set) var theta: [Float]
  /// Steps taken so far.
  public private(set) var steps = 0
  private var adam: Adam
  private let clean: MaskLearner.CleanReference
  private let initialL1: Float
  private let indices: [Int]
  private let groups: [Int]

  public init(learner: MaskLearner, batch: ImageBatch) throws {
    guard learner.config.scope == .dataset else {
      throw FourierLensError.badOption(name: "--scope", reason: "the step benchmark learns one dataset mask")
    }
    self.learner = learner
    self.batch = batch
    indices = Array(0..<batch.count)
    groups = [Int](repeating: 0, count: batch.count)
    let dataset = InMemoryDataset(batch: batch, format: "batch")
    (clean, _) = try learner.cleanReference(dataset, indices: indices, groupCount: 1, group: { _, _ in 0 })
    let theta0 = try learner.parameterization.initialParameters()
    theta = theta0
    adam = Adam(parameterCount: theta0.count, groups: 1)
    initialL1 = try learner.allMasks(theta0, groupCount: 1).reduce(0) { $0 + abs($1) }
    guard initialL1 > 0 else { throw FourierLensError.message("the initial mask is all zeros") }
  }

  /// What one step computed.
  public struct Step {
    /// The loss before the update: data term + λ‖M‖₁/‖M₀‖₁.
    public var loss: Float
    /// ∂loss/∂θ before the update.
    public var thetaGradient: [Float]
    /// Logits through the mask, row-major [N, K].
    public var logits: [Float]
  }

  /// The loss and gradient at the current θ, without updating it.
  public func objective() throws -> Step {
    let b = try learner.batchObjective(batch, indices: indices, groups: groups, theta: theta, groupCount: 1,
                                       clean: clean, initialL1: initialL1)
    return Step(loss: b.loss, thetaGradient: b.thetaGradient, logits: b.logits)
  }

  /// One optimisation step at `learningRate`: objective, Adam, projection.
  @discardableResult
  public func step(learningRate: Float) throws -> Step {
    let b = try objective()
    try learner.update(&theta, adam: &adam, gradient: b.thetaGradient, learningRate: learningRate, groups: [0])
    steps += 1
    return b
  }

  /// The frequency stage of one step alone, on this batch and the current θ: θ → M, the
  /// masked input (normalise, T, mask, T⁻¹, de-normalise) and the adjoint ∂L/∂M for
  /// `outputGradient` (any tensor of the batch's shape stands in for ∂L/∂x_M).
  public func frequencyStage(outputGradient: Tensor) throws -> [Float] {
    let masks = try learner.allMasks(theta, groupCount: 1)
    _ = try learner.maskedInput(batch.images, masks: masks, groupCount: 1, groups: groups)
    return try learner.maskOperator.maskGradient(masks: masks, maskCount: 1, assignment: nil, outputGradient: outputGradient)
  }
}
