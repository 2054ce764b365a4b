import Foundation

/// The mask-learning settings a user writes, as `flens learn-mask` flags or an experiment's
/// `masks:` section; a value left out takes the scope's default (`--scope image` has its own
/// λ, learning rate and epochs). The one place that turns them into a `MaskLearningConfig`,
/// so the command and experiments cannot drift apart.
public struct MaskSettings: Equatable, Sendable {
  public var scope: MaskScope = .dataset
  public var objective: MaskObjective = .paper
  public var transform: TransformKind = .dft
  public var perChannel = false
  public var lambda: Float?
  public var learningRate: Float?
  public var epochs: Int?
  public var batchSize: Int?
  public var accuracyTarget: Float?
  public var patience: Int?
  public var tolerance: Float?
  public var seed: UInt64 = 0

  public init() {}

  public var config: MaskLearningConfig {
    var c = scope == .image ? MaskLearningConfig.singleImageDefaults() : MaskLearningConfig()
    c.scope = scope
    c.objective = objective
    c.transform = transform
    c.layout = perChannel ? .perChannel : .shared
    if let lambda { c.lambda = lambda }
    if let learningRate { c.learningRate = learningRate }
    if let epochs { c.epochs = epochs }
    if let batchSize { c.batchSize = batchSize }
    if let accuracyTarget { c.accuracyTarget = accuracyTarget }
    if let patience { c.patience = patience }
    if let tolerance { c.tolerance = tolerance }
    c.seed = seed
    return c
  }
}
