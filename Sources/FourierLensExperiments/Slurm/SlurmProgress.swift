import Foundation

/// One progress line of `flens run --executor slurm --wait`: the steps complete in the run
/// directory (each step is one job or array task, so this counts the jobs done), this run's
/// job tasks in `squeue` by state, and the rate at which steps completed while waiting with
/// the time the rest would take at that rate. Slurm's accounting (`sacct`) is not needed:
/// the run directory's step records say what finished.
struct SlurmProgress: Equatable {
  var steps: Int
  var complete: Int
  var completeAtStart: Int
  var seconds: Double
  /// The state of each of the run's job tasks in the queue (one entry per array task).
  var queuedStates: [String]

  var running: Int { queuedStates.filter { $0 == "RUNNING" || $0 == "COMPLETING" }.count }
  var pending: Int { queuedStates.filter { $0 == "PENDING" }.count }
  var other: Int { queuedStates.count - running - pending }

  /// Steps completed per second while waiting; nil before the first.
  var rate: Double? {
    let done = complete - completeAtStart
    return done > 0 && seconds > 0 ? Double(done) / seconds : nil
  }

  /// A new line is worth printing when a step completed or a job changed state, not when
  /// only the clock moved.
  func differs(from previous: SlurmProgress?) -> Bool {
    guard let previous else { return true }
    return (complete, running, pending, other) != (previous.complete, previous.running, previous.pending, previous.other)
  }

  var line: String {
    var text = "\(complete) of \(steps) steps done; jobs: \(running) running, \(pending) pending"
    if other > 0 { text += ", \(other) requeued or held" }
    if complete == steps {
      // Nothing left to estimate.
    } else if let rate {
      let remaining = Double(steps - complete) / rate
      text += String(format: "; %.1f steps/min, ETA %@", rate * 60, Self.duration(remaining))
    } else {
      text += "; ETA after the first step"
    }
    return text + String(format: " (%@ elapsed)", Self.duration(seconds))
  }

  /// `1h02m`, `3m05s`, `12s`.
  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, s % 3600 / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
  }
}
