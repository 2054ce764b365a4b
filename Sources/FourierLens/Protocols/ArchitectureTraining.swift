/// Trains fresh, randomly initialised networks of one architecture: what the `nad` probe
/// needs to ask an architecture (not a trained model) which directions it can learn. The
/// core cannot train; a backend (FourierLensTorch's `FreshArchitectureTraining`) can.
public protocol ArchitectureTraining {
  /// The architecture's name, for outputs (`smallcnn`, ...).
  var architecture: String { get }
  /// A new network of the architecture with `classes` outputs and the input shape of
  /// `train`, initialised from `seed`, trained on `train` (pixel values as given: no
  /// normalisation beyond the identity), in evaluation mode.
  func trainFresh(on train: Dataset, classes: Int, seed: UInt64) throws -> Classifier
}

/// How the fresh networks of the `nad` probe are trained.
public struct FreshTrainingSettings: Equatable, Sendable {
  public var epochs: Int
  public var batchSize: Int
  /// Peak learning rate; nil: the backend's default for its optimiser.
  public var learningRate: Double?

  public init(epochs: Int, batchSize: Int, learningRate: Double?) {
    self.epochs = epochs
    self.batchSize = batchSize
    self.learningRate = learningRate
  }
}

/// Makes the trainer for the architecture of a probed model (thrown errors name the probe).
public typealias ArchitectureTrainerFactory = (ModelDescription, FreshTrainingSettings) throws -> ArchitectureTraining
