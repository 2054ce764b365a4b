import Foundation
import FourierLens
import FourierLensExperimentSpec

/// `.flens-step.json` in a step's directory: the key of the configuration the directory
/// belongs to and whether the step finished. The run directory's only bookkeeping: the
/// local runner, Slurm jobs and the submitter all read and write it atomically.
struct StepRecord: Codable {
  var key: String
  var complete: Bool

  enum State { case complete, resumable, fresh }

  static func path(_ dir: String) -> String { dir + "/.flens-step.json" }

  /// The state of `dir` for `key` without changing anything.
  static func state(of dir: String, key: StepKey) -> State {
    guard let data = FileManager.default.contents(atPath: path(dir)),
          let record = try? JSONDecoder().decode(StepRecord.self, from: data), record.key == key.description else { return .fresh }
    return record.complete ? .complete : .resumable
  }

  /// Reads the step's record and clears a directory that belongs to another configuration.
  static func prepare(_ dir: String, key: StepKey) throws -> State {
    let state = state(of: dir, key: key)
    if state != .fresh { return state }
    if FileManager.default.fileExists(atPath: dir) { try FileManager.default.removeItem(atPath: dir) }
    try AtomicFile.writeJSON(StepRecord(key: key.description, complete: false), to: path(dir))
    return .fresh
  }

  static func finish(_ dir: String, key: StepKey) throws {
    try AtomicFile.writeJSON(StepRecord(key: key.description, complete: true), to: path(dir))
  }
}
