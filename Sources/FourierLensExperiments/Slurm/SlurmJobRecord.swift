import Foundation
import FourierLens

/// `RUN/.flens-slurm/jobs.json`: the job last submitted for each submission unit (a step, or
/// `mask-seeds/NAME` for the array of a mask's seeds), with the step key it was submitted
/// for and its log. A later submission reads it to leave queued jobs alone and to cancel
/// those of a configuration that changed; `--wait` reads it to name a failed job's log.
struct SlurmJobRecord: Codable {
  struct Job: Codable, Equatable {
    var jobID: String
    var key: String
    /// The log's path; for an array, with `%a` where the task's index goes.
    var log: String
    enum CodingKeys: String, CodingKey { case jobID = "job_id", key, log }
  }

  var jobs: [String: Job] = [:]

  static func directory(_ run: String) -> String { run + "/.flens-slurm" }
  static func path(_ run: String) -> String { directory(run) + "/jobs.json" }

  static func read(_ run: String) throws -> SlurmJobRecord {
    guard let data = FileManager.default.contents(atPath: path(run)) else { return SlurmJobRecord() }
    do { return try JSONDecoder().decode(SlurmJobRecord.self, from: data) } catch {
      throw FourierLensError.badFile(path: path(run), reason: "not a Slurm job record (\(error)); remove it to submit afresh")
    }
  }

  func write(_ run: String) throws { try AtomicFile.writeJSON(self, to: Self.path(run)) }
}
