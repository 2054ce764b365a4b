import Foundation
import FourierLens

extension SlurmExecutor {
  /// Waits until none of the run's jobs is queued or running, reporting through `progress`
  /// a line whenever the count of complete steps or the jobs' states change (see
  /// `SlurmProgress`); returns the report's index.html, or throws naming every step that
  /// failed with its job and log (the steps after it were cancelled by Slurm).
  public func wait(pollInterval: TimeInterval = 2, progress: (String) -> Void) throws -> String {
    var last: SlurmProgress?
    let start = Date()
    var completeAtStart: Int?
    while true {
      let record = try SlurmJobRecord.read(runDirectory)
      let queued = try slurm.queued(among: Set(record.jobs.values.map(\.jobID))).filter { Self.activeStates.contains($0.state) }
      let complete = plan.steps.filter { runner.isComplete($0) }.count
      let now = SlurmProgress(steps: plan.steps.count, complete: complete, completeAtStart: completeAtStart ?? complete,
                              seconds: Date().timeIntervalSince(start), queuedStates: queued.map(\.state))
      completeAtStart = completeAtStart ?? complete
      if now.differs(from: last) { progress(now.line); last = now }
      if queued.isEmpty { break }
      Thread.sleep(forTimeInterval: pollInterval)
    }
    if runner.isComplete(.report) { return runner.reportIndex }
    throw failure(try SlurmJobRecord.read(runDirectory))
  }

  /// The steps that did not complete although their inputs did: the jobs that failed.
  func failure(_ record: SlurmJobRecord) -> FourierLensError {
    var lines: [String] = []
    for step in plan.steps where !runner.isComplete(step) && plan.dependencies(of: step).allSatisfy(runner.isComplete) {
      var unit = step.description, task: Int?
      switch step {
      case let .maskSeed(name, _): (unit, task) = ("mask-seeds/\(name)", Self.arrayTask(perSeed: plan.imageShards)(step))
      case let .maskShard(name, _, _): (unit, task) = ("mask-shards/\(name)", Self.arrayTask(perSeed: plan.imageShards)(step))
      default: break
      }
      guard let job = record.jobs[unit] else {
        lines.append("step \(step) was not submitted")
        continue
      }
      let log = task.map { job.log.replacingOccurrences(of: "%a", with: String($0)) } ?? job.log
      let cause = Self.lastError(inLog: log).map { " (\($0))" } ?? ""
      lines.append("step \(step) failed in Slurm job \(job.jobID)\(task.map { " task \($0)" } ?? ""): see \(log)\(cause)")
    }
    if lines.isEmpty { lines.append("the report is not complete although no step failed; run the same command again") }
    return .message("experiment in \(runDirectory) did not finish: " + lines.joined(separator: "; "))
  }

  /// The error line `flens` wrote last in a job's log, if any.
  static func lastError(inLog path: String) -> String? {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
    return text.split(separator: "\n").last(where: { $0.hasPrefix("flens:") }).map { String($0.prefix(300)) }
  }
}
