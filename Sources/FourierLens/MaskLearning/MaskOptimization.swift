/// One set of masks under optimisation: what a run fixes at its start (which mask group each
/// image belongs to, the clean model's reference values, ‖M₀‖₁) and what its steps change
/// (θ, Adam's moments, and the epoch loop's bookkeeping in `state`, the value a checkpoint
/// saves). Learning, resuming and `flens bench mask-step` all step through this one type.
public struct MaskOptimization {
  public let learner: MaskLearner
  public let groupCount: Int
  /// The mask group of every image the optimisation covers (by dataset index).
  let groupOfIndex: [Int: Int]
  let clean: CleanReference
  let initialL1: Float
  /// θ, Adam and the epoch loop's progress: exactly what a checkpoint holds.
  public internal(set) var state: MaskLearnerState

  /// The current mask parameters θ (every mask back to back).
  public var theta: [Float] { state.theta }

  /// Per-image facts about the clean model, computed once: the model is frozen.
  struct CleanReference {
    /// CE to the label (`paper`) or entropy of the prediction (`kl`), in double precision:
    /// the data term takes its difference with the masked loss.
    var loss: [Int: Double] = [:]
    var prediction: [Int: Int] = [:]
    var probabilities: [Int: [Float]] = [:]  // `kl` only
    var correctPerGroup: [Int]
    var countPerGroup: [Int]
  }

  init(learner: MaskLearner, groupCount: Int, groupOfIndex: [Int: Int], clean: CleanReference, initialL1: Float,
       state: MaskLearnerState) {
    self.learner = learner
    self.groupCount = groupCount
    self.groupOfIndex = groupOfIndex
    self.clean = clean
    self.initialL1 = initialL1
    self.state = state
  }

  /// A dataset mask learned on one fixed batch (its images are indices 0..<n), from the
  /// parameterization's initial θ: what `flens bench mask-step` times and tests compare.
  public init(learner: MaskLearner, batch: ImageBatch) throws {
    guard learner.config.scope == .dataset else {
      throw FourierLensError.badSetting(.scope, reason: "the step benchmark learns one dataset mask")
    }
    self = try learner.startOptimization(InMemoryDataset(batch: batch, format: "batch"), indices: Array(0..<batch.count),
                                         groupCount: 1, group: { _, _ in 0 })
  }

  /// The loss and gradient at the current θ on `batch`, whose images are `indices`, without a step.
  func objective(_ batch: ImageBatch, indices: [Int]) throws -> MaskLearner.BatchObjective {
    try learner.batchObjective(batch, indices: indices, groups: indices.map { groupOfIndex[$0]! }, theta: state.theta,
                               groupCount: groupCount, clean: clean, initialL1: initialL1)
  }

  /// One optimisation step on `batch` (images `indices`): the objective, then Adam on the
  /// groups present and the parameterization's projection. Returns the objective before the step.
  @discardableResult
  mutating func step(_ batch: ImageBatch, indices: [Int], learningRate: Float) throws -> MaskLearner.BatchObjective {
    let b = try objective(batch, indices: indices)
    guard b.thetaGradient.allSatisfy(\.isFinite) else {
      throw FourierLensError.nonFinite("gradient of the mask parameters")
    }
    try learner.update(&state.theta, adam: &state.adam, gradient: b.thetaGradient, learningRate: learningRate,
                       groups: b.presentGroups)
    return b
  }

  /// The objective on a batch of the fixed-batch optimisation (`init(learner:batch:)`).
  public func objective(on batch: ImageBatch) throws -> MaskLearner.BatchObjective {
    try objective(batch, indices: Array(0..<batch.count))
  }

  /// One step on a batch of the fixed-batch optimisation (`init(learner:batch:)`).
  @discardableResult
  public mutating func step(on batch: ImageBatch, learningRate: Float) throws -> MaskLearner.BatchObjective {
    try step(batch, indices: Array(0..<batch.count), learningRate: learningRate)
  }

  /// The frequency stage of one step alone, for a dataset mask at the current θ: θ → M,
  /// the masked input (normalise, T, mask, T⁻¹, de-normalise) and the adjoint ∂L/∂M for
  /// `outputGradient` (any tensor of the batch's shape stands in for ∂L/∂x_M).
  public func frequencyStage(_ images: Tensor, outputGradient: Tensor) throws -> [Float] {
    let masks = try learner.allMasks(state.theta, groupCount: 1)
    _ = try learner.masking.apply(images, masks: masks, maskCount: 1, assignment: nil)
    return try learner.masking.maskOperator.maskGradient(masks: masks, maskCount: 1, assignment: nil,
                                                         outputGradient: outputGradient)
  }
}
