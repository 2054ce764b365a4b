import Foundation
import FourierLens

/// Trains fresh networks of a built-in architecture for the `nad` probe: each one a new
/// `TorchModel` (identity normalisation: mean 0, std 1, as the reference's), trained with
/// `TorchTrainer` into a temporary directory that is removed afterwards, and returned as it
/// is after its last epoch.
public struct FreshArchitectureTraining: ArchitectureTraining {
  public let arch: TorchArchitecture
  public var configuration: TrainingConfiguration
  public var device: ComputeDevice

  /// The architecture of `description`; TorchScript models have none to re-train.
  public init(of description: ModelDescription, configuration: TrainingConfiguration, device: ComputeDevice = .cpu) throws {
    guard let arch = TorchArchitecture(rawValue: description.arch) else {
      throw FourierLensError.badOption(
        name: "--probe nad",
        reason: "needs a built-in architecture to train afresh (\(TorchArchitecture.allCases.map(\.rawValue).joined(separator: ", "))); this model is '\(description.arch)'")
    }
    try configuration.validate()
    self.arch = arch
    self.configuration = configuration
    self.device = device
  }

  public var architecture: String { arch.rawValue }

  public func trainFresh(on train: Dataset, classes: Int, seed: UInt64) throws -> Classifier {
    let channels = train.info.shape[0]
    let model = try TorchModel.create(architecture: arch, input: train.info.shape, mean: [Float](repeating: 0, count: channels),
                                      std: [Float](repeating: 1, count: channels), classes: (0..<classes).map(String.init),
                                      seed: seed)
    try model.move(to: device)
    var configuration = self.configuration
    configuration.seed = seed
    let trainer = try TorchTrainer(model: model, configuration: configuration)
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flens-nad-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    _ = try trainer.run(train: train, test: nil, output: scratch, resume: false)
    return model
  }
}

extension FreshArchitectureTraining {
  /// The `nad` probe's trainer factory: SGD with the one-cycle schedule of `flens train`,
  /// on `device`.
  public static func factory(device: ComputeDevice) -> ArchitectureTrainerFactory {
    { description, settings in
      try FreshArchitectureTraining(
        of: description,
        configuration: TrainingConfiguration(epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate),
        device: device)
    }
  }
}
