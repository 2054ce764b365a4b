/// An adversarial attack: given a classifier and a pixel-space batch, return a
/// perturbed pixel-space batch (same shape, values in [0, 1]) that stays within the
/// attack's budget. Bundled attacks are plugins; the host adapts them to this protocol.
public protocol Attack: AnyObject {
  var name: String { get }
  /// A one-line description of the attack and its options, for logs and reports.
  var summary: String { get }
  func perturb(_ batch: ImageBatch, model: Classifier, seed: UInt64) throws -> Tensor
  /// Model queries of every `perturb` so far, for attacks that count them (plugins do).
  var modelQueries: ModelQueryCount? { get }
}

extension Attack {
  public var modelQueries: ModelQueryCount? { nil }

  /// `perturb` on batch `index` (0-based) of `total`, whose first image is `firstImage`
  /// of the run: a failure of the attack says which batch and images it was on.
  public func perturb(_ batch: ImageBatch, model: Classifier, seed: UInt64, batchIndex index: Int, of total: Int,
                      firstImage: Int) throws -> Tensor {
    let at = "batch \(index + 1) of \(total), images \(firstImage) to \(firstImage + batch.count - 1) of the run"
    do {
      return try perturb(batch, model: model, seed: seed)
    } catch let FourierLensError.plugin(library, reason) {
      throw FourierLensError.plugin(library: library, reason: "\(reason) (at \(at))")
    } catch let FourierLensError.nonFinite(message) {
      throw FourierLensError.nonFinite("\(message) (at \(at))")
    }
  }
}

/// How often an attack asked the model: `logits` and `loss_grad` calls, and the images
/// they evaluated together (black-box attacks are compared by such query counts).
public struct ModelQueryCount: Equatable, Sendable {
  public var logitsCalls = 0
  public var lossGradCalls = 0
  public var imagesEvaluated = 0

  public init(logitsCalls: Int = 0, lossGradCalls: Int = 0, imagesEvaluated: Int = 0) {
    self.logitsCalls = logitsCalls
    self.lossGradCalls = lossGradCalls
    self.imagesEvaluated = imagesEvaluated
  }

  public mutating func add(_ other: ModelQueryCount) {
    logitsCalls += other.logitsCalls
    lossGradCalls += other.lossGradCalls
    imagesEvaluated += other.imagesEvaluated
  }

  /// What was asked since `earlier` (a snapshot of the same counter).
  public func since(_ earlier: ModelQueryCount) -> ModelQueryCount {
    ModelQueryCount(logitsCalls: logitsCalls - earlier.logitsCalls, lossGradCalls: lossGradCalls - earlier.lossGradCalls,
                    imagesEvaluated: imagesEvaluated - earlier.imagesEvaluated)
  }

  /// The JSON object of summaries: counts, and per attacked image.
  public func json(images: Int) -> JSONValue {
    let perImage = images > 0 ? Double(imagesEvaluated) / Double(images) : 0
    return ["logits_calls": .number(Double(logitsCalls)), "loss_grad_calls": .number(Double(lossGradCalls)),
            "images_evaluated": .number(Double(imagesEvaluated)), "images_evaluated_per_image": .number(perImage)]
  }
}

/// A data augmentation (or corruption): changes a pixel-space batch in place, keeping
/// its shape and the [0, 1] range, deterministically for a given seed.
public protocol Augmentation: AnyObject {
  var name: String { get }
  var summary: String { get }
  func apply(_ images: inout Tensor, seed: UInt64) throws
}
