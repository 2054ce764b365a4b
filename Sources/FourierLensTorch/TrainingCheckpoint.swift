import Foundation
import FourierLens

/// The resumable state of a training run, kept in `MODEL/checkpoint/`:
///
///     state.json               this record (written last, atomically)
///     weights-<step>.pt        the weights after `globalStep` steps
///     optimizer-<step>.pt      the optimiser's state (momentum / Adam moments)
///
/// Files are named by step and state.json names the pair it belongs to, so a crash while
/// writing a checkpoint leaves the previous one intact; older pairs are removed after the
/// new state.json is in place. Every random choice is derived from the seed and the step,
/// so no generator state needs saving: a resumed run repeats the uninterrupted one exactly.
struct TrainingCheckpoint: Codable {
  static let directoryName = "checkpoint"
  static let stateFile = "state.json"

  var formatVersion = 1
  var configuration: TrainingConfiguration
  var arch: String
  var input: [Int]
  var mean: [Float]
  var std: [Float]
  var classes: [String]
  /// Epoch in progress (0-based); equals `configuration.epochs` when the run is complete.
  var epoch: Int
  /// Steps of `epoch` already taken.
  var stepInEpoch: Int
  var globalStep: Int
  /// Running sums of the epoch in progress.
  var epochLossSum: Double
  var epochCorrect: Int
  var epochSeen: Int
  var epochSeconds: Double
  var history: [EpochRecord]
  var bestTestAccuracy: Double?
  var bestEpoch: Int?
  var trainSeconds: Double
  var trainImages: Int
  var weightsFile: String
  var optimizerFile: String

  static func directory(_ model: String) -> String {
    (model as NSString).appendingPathComponent(directoryName)
  }

  static func exists(in model: String) -> Bool {
    FileManager.default.fileExists(atPath: (directory(model) as NSString).appendingPathComponent(stateFile))
  }

  static func read(from model: String) throws -> TrainingCheckpoint {
    let path = (directory(model) as NSString).appendingPathComponent(stateFile)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FourierLensError.badFile(path: path, reason: "missing or unreadable checkpoint state")
    }
    do {
      return try JSONDecoder().decode(TrainingCheckpoint.self, from: data)
    } catch let error as DecodingError {
      throw FourierLensError.badFile(path: path, reason: "not a training checkpoint (\(ModelDirectory.describe(error)))")
    } catch {
      throw FourierLensError.badFile(path: path, reason: "not valid JSON")
    }
  }

  /// Writes weights and optimiser state for the current step, then state.json, then removes
  /// the files of older checkpoints.
  mutating func write(to model: String, weights: TorchModel, optimizer: TorchOptimizer) throws {
    let dir = TrainingCheckpoint.directory(model)
    do {
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: dir, reason: "cannot create the checkpoint directory (\(error.localizedDescription))")
    }
    weightsFile = "weights-\(globalStep).pt"
    optimizerFile = "optimizer-\(globalStep).pt"
    try weights.saveWeights(file: (dir as NSString).appendingPathComponent(weightsFile))
    try optimizer.save(to: (dir as NSString).appendingPathComponent(optimizerFile))
    try AtomicFile.writeJSON(self, to: (dir as NSString).appendingPathComponent(TrainingCheckpoint.stateFile))
    let keep: Set<String> = [weightsFile, optimizerFile, TrainingCheckpoint.stateFile]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !keep.contains(name) {
      if name.hasPrefix("weights-") || name.hasPrefix("optimizer-") {
        try? FileManager.default.removeItem(atPath: (dir as NSString).appendingPathComponent(name))
      }
    }
  }

  /// Restores weights and optimiser state from this checkpoint's files.
  func restore(from model: String, weights: TorchModel, optimizer: TorchOptimizer) throws {
    let dir = TrainingCheckpoint.directory(model)
    try weights.loadWeights(file: (dir as NSString).appendingPathComponent(weightsFile))
    try optimizer.load(from: (dir as NSString).appendingPathComponent(optimizerFile))
  }
}
