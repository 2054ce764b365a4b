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

/// Which of its masks a run returns for each group.
public enum MaskKeepRule: String, Codable, Sendable {
  /// The last mask (epoch end) whose masked accuracy reached `accuracyTarget` × clean
  /// accuracy; a group that never did keeps its last state. `learn-mask --lambda`.
  case lastMeetingTarget
  /// The mask at the end of the run, whatever its accuracy: a λ of the retention path,
  /// which judges every λ's converged mask on held-out images itself.
  case finalMask
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
  /// The cap on epochs (dataset and class scopes learn until converged, see `convergence`;
  /// `image` scope: the fixed number of optimisation steps per image).
  public var epochs: Int = 60
  public var batchSize: Int = 64
  /// Image scope: the fraction of its one-cycle schedule spent warming up.
  public var warmupFraction: Float = 0.1
  /// Dataset and class scopes: epochs of the linear warm-up before the stable phase.
  public var warmupEpochs: Int = 1
  /// A mask is kept once masked accuracy ≥ accuracyTarget × clean accuracy.
  public var accuracyTarget: Float = 0.99
  /// Dataset and class scopes: the window, in epochs, over which convergence is judged, and
  /// the largest drift of sparsity and retention across it (see `MaskConvergence`).
  public var patience: Int = 5
  public var tolerance: Float = 0.01
  /// Dataset and class scopes: epochs of the cosine decay that ends every run, after
  /// convergence (or when the cap leaves only room for it).
  public var decayEpochs: Int = 3
  public var keep: MaskKeepRule = .lastMeetingTarget
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

  /// The convergence criterion of dataset and class scopes.
  public var convergence: MaskConvergence { MaskConvergence(window: patience, tolerance: tolerance) }

  /// Epochs of the final decay: `decayEpochs`, shortened to the epochs the cap leaves after
  /// the warm-up (a cap shorter than warm-up and decay is warm-up, then decay).
  public var decayLength: Int { min(decayEpochs, max(0, epochs - warmupEpochs)) }

  /// The configuration of seed k of a multi-seed run: seeds count up from `seed` (seed 0 is
  /// this configuration), as `learn-mask --seeds` and experiments number them.
  public func ofSeed(_ k: Int) -> MaskLearningConfig {
    var c = self
    c.seed = seed &+ UInt64(k)
    return c
  }

  /// Refuses settings that cannot give a meaningful run, before any work starts.
  public func validate() throws {
    func bad(_ key: SettingKey, _ why: String) -> FourierLensError { .badSetting(key, reason: why) }
    guard lambda.isFinite, lambda >= 0 else { throw bad(.lambda, "must be a finite number ≥ 0, got \(lambda)") }
    guard learningRate.isFinite, learningRate > 0 else { throw bad(.learningRate, "must be > 0, got \(learningRate)") }
    guard epochs >= 1 else { throw bad(.epochs, "must be ≥ 1, got \(epochs)") }
    guard batchSize >= 1 else { throw bad(.batchSize, "must be ≥ 1, got \(batchSize)") }
    guard warmupFraction >= 0, warmupFraction < 1 else { throw bad(.warmup, "must be in [0, 1), got \(warmupFraction)") }
    guard accuracyTarget > 0, accuracyTarget <= 1 else { throw bad(.accuracyTarget, "must be in (0, 1], got \(accuracyTarget)") }
    guard patience >= 2 else { throw bad(.patience, "must be ≥ 2 epochs (a drift needs two), got \(patience)") }
    guard tolerance >= 0, tolerance.isFinite else { throw bad(.tolerance, "must be a finite number ≥ 0, got \(tolerance)") }
    guard warmupEpochs >= 0 else { throw bad(.warmup, "must be ≥ 0 epochs, got \(warmupEpochs)") }
    guard decayEpochs >= 0 else { throw FourierLensError.message("the final decay must be ≥ 0 epochs, got \(decayEpochs)") }
  }
}
