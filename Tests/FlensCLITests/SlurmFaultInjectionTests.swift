import Foundation
import FourierLens
import Testing

/// Faults injected into a Slurm run (part of SlurmCommandTests, so that its tests share the
/// one-node cluster one at a time): jobs cancelled at random moments and the experiment
/// resubmitted finish with the local run's bytes, no step is ever recorded complete without
/// its files, and a local run is refused beside the run's jobs.
extension SlurmCommandTests {
  /// `scancel`s of one run (FLENS_SLURM_CANCEL_COUNT; 3 by default, to keep CI short).
  static let requiredCancels = Int(ProcessInfo.processInfo.environment["FLENS_SLURM_CANCEL_COUNT"] ?? "") ?? 3

  /// The job ids that `RUN/.flens-slurm/jobs.json` records.
  static func recordedJobs(_ run: String) throws -> Set<String> {
    let data = try Data(contentsOf: URL(fileURLWithPath: run + "/.flens-slurm/jobs.json"))
    let jobs = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["jobs"] as? [String: [String: Any]] ?? [:]
    return Set(jobs.values.compactMap { $0["job_id"] as? String })
  }

  /// The run's jobs in the queue, with the reason Slurm gives for each pending one.
  static func queued(_ run: String) throws -> [(id: String, reason: String)] {
    let ids = try recordedJobs(run)
    return try shell("squeue --noheader --array --format='%F|%r'").split(separator: "\n").compactMap { line in
      let parts = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      guard parts.count == 2, ids.contains(parts[0]) else { return nil }
      return (parts[0], parts[1])
    }
  }

  /// Each step directory recorded complete holds the compared files that belong to it.
  static func expectCompleteStepsHaveTheirFiles(_ run: String) {
    for file in comparedFiles {
      let dir = file.split(separator: "/").prefix(2).joined(separator: "/")
      guard let data = FileManager.default.contents(atPath: run + "/" + dir + "/.flens-step.json"),
            let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            record["complete"] as? Bool == true else { continue }
      #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(dir) is recorded complete without \(file)")
    }
  }

  /// Whether the run's report step is recorded complete (the whole run is).
  static func isFinished(_ run: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: run + "/report/.flens-step.json"),
          let record = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
    return record["complete"] as? Bool == true
  }

  /// Cancels a random job of the run at random moments (uniform over 0–6 s), each followed
  /// by a resubmission; a run that finishes is compared with the local run and started
  /// afresh, until `requiredCancels` cancels have hit a queued or running job.
  @Test func jobsCancelledAtRandomMomentsAndResubmittedFinishWithTheLocalBytes() throws {
    let (file, run, reference, _) = try Self.submitWithoutWaiting(into: "random-cancels")
    var rng = SeededGenerator(seed: 24)
    var (cancels, finished) = (0, 0)
    for _ in 0..<(10 * Self.requiredCancels) where cancels < Self.requiredCancels {
      Thread.sleep(forTimeInterval: Double(rng.nextUniform()) * 6)
      let jobs = Array(Set(try Self.queued(run).map(\.id))).sorted()
      if jobs.isEmpty && Self.isFinished(run) {
        try expectSameResults(run, as: reference)
        finished += 1
        try FileManager.default.removeItem(atPath: run)
      } else if !jobs.isEmpty {
        let id = jobs[Int(rng.next() % UInt64(jobs.count))]
        _ = try Self.shell("scancel \(id)")
        cancels += 1
        // Slurm cancels the jobs that waited for it (--kill-on-invalid-dep=yes): let it, so that
        // the resubmission does not count them as queued.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, try Self.queued(run).contains(where: { $0.reason.contains("DependencyNeverSatisfied") || $0.id == id }) {
          Thread.sleep(forTimeInterval: 0.5)
        }
        Self.expectCompleteStepsHaveTheirFiles(run)
      }
      let again = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm"])
      try #require(again.exitCode == 0, "submission after \(cancels) cancels: \(again)")
    }
    let done = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(done.exitCode == 0, "\(done)")
    Self.expectCompleteStepsHaveTheirFiles(run)
    try expectSameResults(run, as: reference)
    print("slurm cancel-and-resubmit: \(cancels) scancels, \(finished + 1) runs finished and compared")
    #expect(cancels >= Self.requiredCancels, "only \(cancels) cancels hit a job of the run")
  }

  @Test func aLocalRunIsRefusedBesideTheRunsSlurmJobs() throws {
    let (file, run, _, ids) = try Self.submitWithoutWaiting(into: "beside")
    defer { _ = try? Self.shell("scancel \(ids.joined(separator: " "))") }
    let local = try FlensCLI.run(["run", file, "--out", run, "--quiet"])
    #expect(local.exitCode == 1, "\(local)")
    let line = local.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!line.contains("\n") && line.contains(run)
            && (line.contains("Slurm jobs queued or running") || line.contains("flens run --step")), "\(line)")
  }
}
