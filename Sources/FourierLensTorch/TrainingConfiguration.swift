import FourierLens

/// Everything that determines a training run's result besides the data and the plugins'
/// own code. Stored in the checkpoint: `--resume` refuses a checkpoint made with another one.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
  public var epochs: Int
  public var batchSize: Int
  /// Peak learning rate of the one-cycle schedule.
  public var learningRate: Double
  public var optimizer: OptimizerKind
  /// SGD momentum (Nesterov); ignored by Adam.
  public var momentum: Double
  /// L2 weight decay on every parameter.
  public var weightDecay: Double
  /// Fraction of the steps spent warming up (the one-cycle schedule then anneals by cosine).
  public var warmupFraction: Double
  /// The root of every random choice: shuffling, augmentation, attack and per-step seeds.
  public var seed: UInt64
  /// Images per forward pass when measuring test accuracy.
  public var evaluationBatchSize: Int
  /// Also checkpoint every this many steps inside an epoch (nil: at epoch ends only).
  public var checkpointEverySteps: Int?
  /// Names of the augmentations and the attack (for the record and the resume check).
  public var augmentations: [String]
  public var attack: String?

  public init(
    epochs: Int, batchSize: Int = 128, learningRate: Double? = nil, optimizer: OptimizerKind = .sgd,
    momentum: Double = 0.9, weightDecay: Double = 5e-4, warmupFraction: Double = 0.25, seed: UInt64 = 0, evaluationBatchSize: Int = 500,
    checkpointEverySteps: Int? = nil, augmentations: [String] = [], attack: String? = nil
  ) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate ?? OptimizerKind.defaultLearningRate(optimizer)
    self.optimizer = optimizer
    self.momentum = momentum
    self.weightDecay = weightDecay
    self.warmupFraction = warmupFraction
    self.seed = seed
    self.evaluationBatchSize = evaluationBatchSize
    self.checkpointEverySteps = checkpointEverySteps
    self.augmentations = augmentations
    self.attack = attack
  }

  /// Rejects values no run can use, naming the setting (see `SettingKey`).
  public func validate() throws {
    func bad(_ key: SettingKey, _ reason: String) -> FourierLensError { .badSetting(key, reason: reason) }
    guard epochs >= 1 else { throw bad(.epochs, "must be at least 1, got \(epochs)") }
    guard batchSize >= 2 else { throw bad(.batchSize, "must be at least 2 (BatchNorm needs two images), got \(batchSize)") }
    guard learningRate > 0, learningRate.isFinite else { throw bad(.learningRate, "must be a positive number, got \(learningRate)") }
    guard weightDecay >= 0, weightDecay.isFinite else { throw bad(.weightDecay, "must be non-negative, got \(weightDecay)") }
    guard momentum >= 0, momentum < 1 else { throw bad(.momentum, "must be in [0, 1), got \(momentum)") }
    guard (0 ... 1).contains(warmupFraction) else { throw bad(.warmup, "must be in [0, 1], got \(warmupFraction)") }
    guard evaluationBatchSize >= 1 else { throw bad(.evaluationBatch, "must be positive") }
    if let c = checkpointEverySteps, c < 1 { throw bad(.checkpointEvery, "must be positive, got \(c)") }
  }
}

extension OptimizerKind {
  /// Peak learning rates that work for the built-in architectures with batch 128.
  public static func defaultLearningRate(_ kind: OptimizerKind) -> Double {
    switch kind {
    case .sgd: return 0.1
    case .adam: return 2e-3
    }
  }
}

/// One finished epoch.
public struct EpochRecord: Codable, Equatable, Sendable {
  /// 1-based epoch number.
  public var epoch: Int
  public var trainLoss: Double
  public var trainAccuracy: Double
  /// Accuracy on the test split (nil when there is no test split).
  public var testAccuracy: Double?
  /// Learning rate at the epoch's last step.
  public var learningRate: Double
  /// Training images per second during the epoch (data, augmentation, attack and step).
  public var imagesPerSecond: Double
  public var seconds: Double
}

/// What a training run did.
public struct TrainingSummary: Codable, Equatable, Sendable {
  public var epochsCompleted: Int
  public var steps: Int
  public var history: [EpochRecord]
  public var bestEpoch: Int?
  public var bestTestAccuracy: Double?
  /// Training images per second over the whole run (evaluation excluded).
  public var imagesPerSecond: Double
  public var trainSeconds: Double
  /// True when the run stopped at its step limit (`TorchTrainer.maxSteps`) after writing a
  /// checkpoint; a stop on request throws `Interrupted` instead.
  public var interrupted: Bool
  /// Process CPU time (all threads) per training image in this process: a throughput
  /// measure that, unlike wall time, hardly depends on other load on the machine.
  public var cpuSecondsPerImage: Double?
}
