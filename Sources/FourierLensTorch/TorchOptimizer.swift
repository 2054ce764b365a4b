import CTorchShim
import FourierLens

/// A libtorch optimiser over all parameters of a built-in `TorchModel`.
public final class TorchOptimizer {
  let handle: OpaquePointer
  /// Kept alive because the optimiser refers to the model's parameters.
  let model: TorchModel
  public let kind: OptimizerKind

  public init(model: TorchModel, kind: OptimizerKind, learningRate: Double, momentum: Double = 0.9,
              weightDecay: Double, nesterov: Bool = true) throws {
    var handle: OpaquePointer?
    let status = model.locked {
      flt_optimizer_create(model.handle, kind == .sgd ? FLT_OPTIMIZER_SGD : FLT_OPTIMIZER_ADAM,
                           learningRate, kind == .sgd ? momentum : 0, weightDecay, kind == .sgd && nesterov ? 1 : 0, &handle)
    }
    try ShimStatus.check(status, option: "--optimizer")
    self.handle = handle!
    self.model = model
    self.kind = kind
  }

  deinit { flt_optimizer_free(handle) }

  public func setLearningRate(_ lr: Double) throws {
    try ShimStatus.check(flt_optimizer_set_lr(handle, lr))
  }

  public func save(to path: String) throws {
    try ShimStatus.check(flt_optimizer_save(handle, path), file: path)
  }

  public func load(from path: String) throws {
    try ShimStatus.check(flt_optimizer_load(handle, path), file: path)
  }

  /// Result of one optimisation step.
  public struct StepResult: Sendable {
    /// Mean cross-entropy over the batch (before the update).
    public var loss: Float
    /// Images whose training-mode logits put the true label first.
    public var correct: Int
  }

  /// One step of mini-batch training on a pixel-space batch: training mode, mean
  /// cross-entropy, backward, update. `seed` fixes the step's own randomness (dropout).
  public func step(_ batch: ImageBatch, seed: UInt64) throws -> StepResult {
    let n = try model.checkInput(batch.images)
    let k = model.description.classes.count
    if let bad = batch.labels.first(where: { $0 < 0 || $0 >= k }) {
      throw FourierLensError.shapeMismatch("label \(bad) is outside 0..<\(k) for model \(model.displayName)")
    }
    return try run(batch, n: n, seed: seed)
  }

  private func run(_ batch: ImageBatch, n: Int, seed: UInt64) throws -> StepResult {
    let labels = batch.labels.map { Int64($0) }
    var loss: Float = 0
    var correct: Int64 = 0
    let s = batch.images.shape
    try model.locked {
      try batch.images.data.withUnsafeBufferPointer { x in
        try labels.withUnsafeBufferPointer { y in
          try ShimStatus.check(
            flt_train_step(model.handle, handle, x.baseAddress, Int64(n), Int64(s[1]), Int64(s[2]), Int64(s[3]),
                           y.baseAddress, seed, &loss, &correct),
            model: model.displayName)
        }
      }
    }
    guard loss.isFinite else {
      throw FourierLensError.nonFinite("training loss became \(loss); lower the learning rate (--lr)")
    }
    return StepResult(loss: loss, correct: Int(correct))
  }
}
