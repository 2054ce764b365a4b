/// One epoch of mask learning, for loss curves and the run's summary.
public struct MaskEpochRecord: Codable, Equatable, Sendable {
  public var epoch: Int
  /// Learning rate at the epoch's last step.
  public var learningRate: Float
  /// Mean over the epoch's batches of the data term (exp(I) for `paper`).
  public var dataTerm: Float
  /// Mean over the epoch's batches of the distortion (I for `paper`, KL or CE otherwise).
  public var distortion: Float
  /// Sparsity ‖M‖₁/‖M₀‖₁ (mean over masks) of the masks evaluated at the end of the epoch.
  public var sparsity: Float
  /// Mean total loss, data term + λ·sparsity.
  public var loss: Float
  /// Accuracy through the masks evaluated at the end of the epoch.
  public var maskedAccuracy: Float
  public var imagesPerSecond: Float
}

/// What a mask-learning run produced.
public struct MaskLearningResult: Codable, Sendable {
  public var config: MaskLearningConfig
  /// The parameterization's name.
  public var parameterization: String
  /// Shape of one mask ([H, W] or [C, H, W]).
  public var maskShape: [Int]
  /// 1 for `dataset` scope, the number of classes for `class`, of images for `image`.
  public var maskCount: Int
  /// The kept masks, `maskCount` masks back to back (unshifted layout).
  public var masks: [Float]
  /// Their parameters θ, `maskCount` parameter vectors back to back.
  public var theta: [Float]
  /// Number of images the masks were learned (and evaluated) on.
  public var imageCount: Int
  public var cleanAccuracy: Float
  /// Accuracy through the kept masks.
  public var maskedAccuracy: Float
  /// Accuracy through the complementary masks 1 − 1[M > 0].
  public var complementaryAccuracy: Float
  /// Mean over masks of ‖M‖₁/‖M₀‖₁.
  public var sparsity: Float
  /// Epochs (steps for `image` scope) run before stopping.
  public var epochsRun: Int
  /// Masks whose accuracy target was reached at least once (the others are the last iterate).
  public var masksMeetingTarget: Int
  public var history: [MaskEpochRecord]
  /// Per mask (group): images, clean and masked accuracy on them, ‖M_k‖₁/‖M₀‖₁, and whether
  /// the accuracy target was met (a group without images has accuracies 0 and never meets it).
  public var groupImageCount: [Int] = []
  public var groupCleanAccuracy: [Float] = []
  public var groupMaskedAccuracy: [Float] = []
  public var groupSparsity: [Float] = []
  public var groupMetTarget: [Bool] = []
  /// Per mask, the epoch (1-based) its mask was kept at (0: none met the target; the last state is used).
  public var groupKeptEpoch: [Int] = []
  /// Dataset and class scopes: whether the run converged before the epoch cap
  /// (`MaskConvergence`); nil for image masks, which follow a fixed schedule.
  public var converged: Bool?
  /// Optimisation steps taken (batches over all epochs run).
  public var optimizerSteps: Int = 0
  /// Accuracy through the same masks on images they were not learned on (`--validation`).
  public var validation: HeldOutAccuracy?
}

/// Clean and masked accuracy on held-out images, overall and per mask (group): a class mask
/// is measured on the held-out images of its class.
public struct HeldOutAccuracy: Codable, Equatable, Sendable {
  public var imageCount: Int
  public var cleanAccuracy: Float
  public var maskedAccuracy: Float
  public var groupImageCount: [Int]
  public var groupCleanAccuracy: [Float]
  public var groupMaskedAccuracy: [Float]

  public var retention: Float { Retention.of(masked: maskedAccuracy, clean: cleanAccuracy) }
  public func retention(group k: Int) -> Float {
    Retention.of(masked: groupMaskedAccuracy[k], clean: groupCleanAccuracy[k])
  }
}

extension MaskLearningResult {
  /// The masks (groups) with images that did not meet the accuracy target; nil for a
  /// result built without per-group facts.
  public var unmetGroups: [Int]? {
    guard groupMetTarget.count == maskCount, groupImageCount.count == maskCount else { return nil }
    return (0..<maskCount).filter { groupImageCount[$0] > 0 && !groupMetTarget[$0] }
  }

  /// Whether every mask with images met the accuracy target.
  public var targetMet: Bool { unmetGroups.map(\.isEmpty) ?? (masksMeetingTarget >= maskCount) }
}
