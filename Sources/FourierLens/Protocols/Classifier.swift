/// What a model is: enough for every later command to use it without repeated flags.
/// Stored as JSON next to the weights (see ../shared/CLI.md for the keys).
public struct ModelDescription: Codable, Equatable, Sendable {
  /// Architecture name (`smallcnn`, `resnet18`, `vgg11bn`, `torchscript`, ...).
  public var arch: String
  /// Input shape [C, H, W].
  public var input: [Int]
  /// Per-channel normalisation the model applies to pixel-space inputs: (x − mean) / std.
  public var mean: [Float]
  public var std: [Float]
  /// Class names, in label order.
  public var classes: [String]
  /// How the model was made: data, settings, test accuracy (or what was imported).
  public var training: TrainingRecord

  public init(arch: String, input: [Int], mean: [Float], std: [Float], classes: [String], training: TrainingRecord = TrainingRecord()) {
    self.arch = arch
    self.input = input
    self.mean = mean
    self.std = std
    self.classes = classes
    self.training = training
  }
}

/// The quantity whose input gradient a caller wants.
public enum Objective: Sendable, Equatable {
  /// Cross-entropy with integer labels.
  case crossEntropy(labels: [Int])
  /// Cross-entropy with soft targets (row-major [N, K] probabilities); its gradient equals
  /// that of KL(targets ‖ model) since the targets' entropy is constant.
  case softCrossEntropy(targets: [Float])
  /// Carlini–Wagner logit margin: max_{j≠y} z_j − z_y (larger means more wrong).
  case logitMargin(labels: [Int])
}

/// Result of one forward and backward pass through a classifier.
public struct LossAndGradient: Sendable {
  /// One loss per image (the objective before reduction), in double precision: the mask
  /// loss takes differences of nearly equal losses, (CE_M − CE)², which float32 would round away.
  public var perSampleLoss: [Double]
  /// Logits, row-major [N, K].
  public var logits: [Float]
  /// ∂(Σᵢ wᵢ·lossᵢ)/∂input, same shape as the input (NCHW).
  public var inputGradient: Tensor

  public init(perSampleLoss: [Double], logits: [Float], inputGradient: Tensor) {
    self.perSampleLoss = perSampleLoss
    self.logits = logits
    self.inputGradient = inputGradient
  }

  /// Mean of the per-image losses.
  public var meanLoss: Double { perSampleLoss.isEmpty ? 0 : perSampleLoss.reduce(0, +) / Double(perSampleLoss.count) }
}

/// An image classifier seen from the core: logits and input gradients, nothing else.
///
/// Inputs are **pixel space** NCHW batches ([0, 1]); the classifier applies its own
/// normalisation (`description.mean/std`). Callers that work in normalised space (mask
/// learning, as in the paper) convert with `Normalization`. Weights are frozen and the
/// model is in evaluation mode for these calls; training is a backend's business.
public protocol Classifier: AnyObject {
  var description: ModelDescription { get }

  /// Logits, row-major [N, K].
  func logits(_ input: Tensor) throws -> [Float]

  /// Per-image losses, logits, and the input gradient of Σᵢ wᵢ·lossᵢ, where the weights
  /// default to 1/N (the batch-mean loss).
  func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient
}

extension Classifier {
  public func lossAndGradient(_ input: Tensor, objective: Objective) throws -> LossAndGradient {
    try lossAndGradient(input, objective: objective, sampleWeights: nil)
  }

  public var classCount: Int { description.classes.count }
}
