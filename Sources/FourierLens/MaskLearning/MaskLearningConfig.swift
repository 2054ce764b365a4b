/// What the mask is asked to preserve.
public enum MaskObjective: String, Codable, CaseIterable, Sendable {
  /// The paper's invariance: I = (CE(f(x_M), y) − CE(f(x), y))², loss exp(I) + λ·sparsity.
  case paper
  /// KL divergence from the clean to the masked predictions, loss KL + λ·sparsity.
  case kl
  /// Cross-entropy to the model's own clean predictions (arg max), loss CE + λ·sparsity.
  case ce
}

/// How many masks are learned: one for the data, one per class, or one per image.
public enum MaskScope: String, Codable, CaseIterable, Sendable {
  case dataset
  case `class`
  case image
}

/// Every setting of a mask-learning run. Defaults follow the paper's algorithm with
/// hyperparameters that give informative masks on small CNNs (see README: how λ trades
/// accuracy for sparsity; `--lambda 0.2 --lr 0.001 --batch 1` is the paper's exact setting).
public struct MaskLearningConfig: Codable, Equatable, Sendable {
  public var objective: MaskObjective = .paper
  public var scope: MaskScope = .dataset
  public var transform: TransformKind = .dft
  public var layout: MaskLayout = .shared
  /// Weight of the sparsity term ‖M‖₁/‖M₀‖₁.
  public var lambda: Float = 0.02
  /// Peak learning rate of the one-cycle schedule.
  public var learningRate: Float = 0.01
  /// Maximum number of epochs (for `image` scope: optimisation steps per image).
  public var epochs: Int = 30
  public var batchSize: Int = 64
  /// Fraction of the schedule spent warming up.
  public var warmupFraction: Float = 0.1
  /// A mask is kept once masked accuracy ≥ accuracyTarget × clean accuracy.
  public var accuracyTarget: Float = 0.99
  /// Stop after this many consecutive epochs in which the sparsity term changed by ≤ tolerance
  /// (once a mask has been kept).
  public var patience: Int = 7
  public var tolerance: Float = 1e-5
  public var seed: UInt64 = 0

  public init() {}

  /// The paper's single-image setting (λ 0.07, lr 0.2, a long schedule).
  public static func singleImageDefaults() -> MaskLearningConfig {
    var c = MaskLearningConfig()
    c.scope = .image
    c.lambda = 0.07
    c.learningRate = 0.2
    c.epochs = 300
    return c
  }

  /// Refuses settings that cannot give a meaningful run, before any work starts.
  /// The configuration of seed k of a multi-seed run: seeds count up from `seed` (seed 0 is
  /// this configuration), as `learn-mask --seeds` and experiments number them.
  public func ofSeed(_ k: Int) -> MaskLearningConfig {
    var c = self
    c.seed = seed &+ UInt64(k)
    return c
  }

  public func validate() throws {
    func bad(_ key: SettingKey, _ why: String) -> FourierLensError { .badSetting(key, reason: why) }
    guard lambda.isFinite, lambda >= 0 else { throw bad(.lambda, "must be a finite number ≥ 0, got \(lambda)") }
    guard learningRate.isFinite, learningRate > 0 else { throw bad(.learningRate, "must be > 0, got \(learningRate)") }
    guard epochs >= 1 else { throw bad(.epochs, "must be ≥ 1, got \(epochs)") }
    guard batchSize >= 1 else { throw bad(.batchSize, "must be ≥ 1, got \(batchSize)") }
    guard warmupFraction >= 0, warmupFraction < 1 else { throw bad(.warmup, "must be in [0, 1), got \(warmupFraction)") }
    guard accuracyTarget > 0, accuracyTarget <= 1 else { throw bad(.accuracyTarget, "must be in (0, 1], got \(accuracyTarget)") }
    guard patience >= 1 else { throw bad(.patience, "must be ≥ 1, got \(patience)") }
    guard tolerance >= 0, tolerance.isFinite else { throw bad(.tolerance, "must be ≥ 0, got \(tolerance)") }
  }
}
