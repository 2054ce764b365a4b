import Foundation
import FourierLens
import FourierLensExperimentSpec

/// Runs an experiment on a Slurm cluster: every step that is not complete becomes an
/// `sbatch` job that runs `flens run EXPERIMENT --out RUN --step STEP` on the same run
/// directory, with `--dependency=afterok:` edges from the steps it reads (train → masks →
/// probes → report). The seeds of a mask are one job array whose tasks learn one seed each
/// (`mask-seed/NAME/K`), and the images of an image-scope mask are one job array whose tasks
/// learn one shard of images each (`mask-shard/NAME/K/S`); either is followed by the mask
/// step, which keeps what they learned and writes the mask directory: exactly the layout and
/// bytes of a single-machine run.
///
/// The run directory is the only coordination: steps record their keys in it
/// (`.flens-step.json`), jobs write atomically and resume from their checkpoints, so a
/// requeued (`--requeue`) or resubmitted job continues where the killed one stopped.
/// Submitting again submits only what is neither complete nor queued or running.
public struct SlurmExecutor {
  public struct Options {
    /// The experiment file as the jobs read it (absolute).
    public var experimentFile: String
    /// The `flens` executable the jobs run (absolute; on shared storage).
    public var flens: String
    public var pluginPaths: [String] = []
    /// `--threads` / `--device` for the jobs when given on the command line.
    public var threads: Int?
    public var device: String?
    public var partition: String?
    /// Extra sbatch options, `KEY=VALUE` or `KEY` (passed as `--KEY=VALUE` / `--KEY`).
    public var extraOptions: [String] = []

    public init(experimentFile: String, flens: String) {
      self.experimentFile = experimentFile
      self.flens = flens
    }
  }

  /// What a submission did for one unit of work.
  public struct Submission: Equatable {
    public enum Action: Equatable { case submitted, alreadyQueued }
    /// The step, or `mask-seeds/NAME` (`mask-shards/NAME`) for the array of a mask's seeds (shards).
    public var unit: String
    public var jobID: String
    public var log: String
    public var action: Action
  }

  public let plan: ExperimentPlan
  public let runDirectory: String
  public let options: Options
  let runner: ExperimentRunner
  let slurm = SlurmClient()

  public init(plan: ExperimentPlan, runDirectory: String, options: Options, runner: ExperimentRunner) {
    self.plan = plan
    self.runDirectory = runDirectory
    self.options = options
    self.runner = runner
  }

  /// The states of a job that is still going to run (or running).
  static let activeStates: Set<String> = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "REQUEUED", "REQUEUE_FED",
                                          "REQUEUE_HOLD", "RESIZING", "SUSPENDED", "SIGNALING", "STAGE_OUT", "STOPPED"]

  /// The jobs of run directory `run` that Slurm still has queued or running (none when the run
  /// was never submitted): a local run refuses to start beside them.
  public static func queuedJobs(ofRun run: String) throws -> [String] {
    let ids = Set(try SlurmJobRecord.read(run).jobs.values.map(\.jobID))
    guard !ids.isEmpty else { return [] }
    return Set(try SlurmClient().queued(among: ids).filter { activeStates.contains($0.state) }.map(\.jobID)).sorted()
  }

  /// Submits every step that is neither complete nor queued; returns what it did, in step order.
  public func submit() throws -> [Submission] {
    try FileManager.default.createDirectory(atPath: SlurmJobRecord.directory(runDirectory) + "/logs", withIntermediateDirectories: true)
    var record = try SlurmJobRecord.read(runDirectory)
    let active = try activeJobIDs(record)
    var jobOfStep: [ExperimentStep: String] = [:]  // job ids the later steps depend on
    var submissions: [Submission] = []

    func dependencies(_ steps: [ExperimentStep]) -> [String] {
      Array(Set(steps.flatMap { plan.dependencies(of: $0) }.compactMap { jobOfStep[$0] })).sorted()
    }
    /// Submits (or finds queued) the unit `unit` covering `steps`; records its job for them.
    func schedule(unit: String, steps: [ExperimentStep], arrayTasks: [Int]?, step: String) throws {
      let key = plan.key(of: steps[0]).description
      if let previous = record.jobs[unit], active.contains(previous.jobID) {
        if previous.key == key {
          for s in steps { jobOfStep[s] = previous.jobID }
          submissions.append(Submission(unit: unit, jobID: previous.jobID, log: previous.log, action: .alreadyQueued))
          return
        }
        try slurm.cancel(previous.jobID)  // its configuration changed: its results would be thrown away
      }
      // The step's directory gets its record before any job starts, so jobs (and the tasks of
      // an array, side by side) only ever resume it and never clear each other's work.
      _ = try StepRecord.prepare(plan.directory(of: steps[0], in: runDirectory), key: plan.key(of: steps[0]))
      let logName = unit.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "[", with: "")
        .replacingOccurrences(of: "]", with: "").replacingOccurrences(of: ",", with: "-")
      let log = SlurmJobRecord.directory(runDirectory) + "/logs/\(logName)-" + (arrayTasks == nil ? "%j.log" : "%A_%a.log")
      var arguments = sbatchArguments(kind: steps[0].resourceKind, name: unit, log: log)
      if let tasks = arrayTasks { arguments.append("--array=" + tasks.map(String.init).joined(separator: ",")) }
      let after = dependencies(steps)
      if !after.isEmpty { arguments.append("--dependency=afterok:" + after.joined(separator: ":")) }
      arguments += ["--wrap", jobCommand(step: step, kind: steps[0].resourceKind)]
      let id = try slurm.submit(arguments)
      let resolvedLog = log.replacingOccurrences(of: "%j", with: id).replacingOccurrences(of: "%A", with: id)
      record.jobs[unit] = .init(jobID: id, key: key, log: resolvedLog)
      try record.write(runDirectory)  // after every submission, so an interrupted submitter loses no job
      for s in steps { jobOfStep[s] = id }
      submissions.append(Submission(unit: unit, jobID: id, log: resolvedLog, action: .submitted))
    }

    for step in plan.steps where !runner.isComplete(step) {
      switch step {
      case let .maskSeed(name, k):
        // All of a mask's unfinished seeds go as one array, submitted at its first seed.
        guard k == (0..<plan.masks.seeds).first(where: { !runner.isComplete(.maskSeed(name, $0)) }) else { continue }
        let seeds = (0..<plan.masks.seeds).filter { !runner.isComplete(.maskSeed(name, $0)) }
        try schedule(unit: "mask-seeds/\(name)", steps: seeds.map { .maskSeed(name, $0) }, arrayTasks: seeds,
                     step: "mask-seed/\(name)/${SLURM_ARRAY_TASK_ID}")
      case let .maskShard(name, _, _):
        // All of a mask's unfinished shards (of every seed) go as one array, submitted at the
        // first; task t is shard t mod S of seed t div S, for S shards per seed.
        let shards = plan.partSteps(of: name).filter { !runner.isComplete($0) }
        guard step == shards.first else { continue }
        let perSeed = plan.imageShards
        try schedule(unit: "mask-shards/\(name)", steps: shards, arrayTasks: shards.map(Self.arrayTask(perSeed: perSeed)),
                     step: Self.shardStep(of: name, perSeed: perSeed))
      default:
        try schedule(unit: step.description, steps: [step], arrayTasks: nil, step: step.description)
      }
    }
    return submissions
  }

  /// The array task of a seed or shard step (`mask-seed/NAME/K`: K; `mask-shard/NAME/K/S`:
  /// K·perSeed + S), nil for other steps.
  static func arrayTask(perSeed: Int) -> (ExperimentStep) -> Int {
    { step in
      switch step {
      case let .maskSeed(_, k): return k
      case let .maskShard(_, k, s): return k * perSeed + s
      default: preconditionFailure("\(step) is not an array task")
      }
    }
  }

  /// The step an array task of the shards of `name`'s mask runs: the shell turns
  /// `SLURM_ARRAY_TASK_ID` back into seed and shard (see `arrayTask`).
  static func shardStep(of name: String, perSeed: Int) -> String {
    "mask-shard/\(name)/$((SLURM_ARRAY_TASK_ID / \(perSeed)))/$((SLURM_ARRAY_TASK_ID % \(perSeed)))"
  }

  /// The recorded jobs that are still queued or running.
  func activeJobIDs(_ record: SlurmJobRecord) throws -> Set<String> {
    let ids = Set(record.jobs.values.map(\.jobID))
    return Set(try slurm.queued(among: ids).filter { Self.activeStates.contains($0.state) }.map(\.jobID))
  }

  func sbatchArguments(kind: SlurmSpec.StepKind, name: String, log: String) -> [String] {
    let r = (plan.spec.slurm ?? SlurmSpec()).resources(for: kind)
    var arguments = [
      "--job-name=flens:\(plan.spec.name ?? "experiment"):\(name)", "--output=\(log)", "--open-mode=append",
      "--requeue", "--kill-on-invalid-dep=yes", "--chdir=\(runDirectory)",  // shared storage, as every path the job gets
      "--cpus-per-task=\(r.cpus)", "--mem=\(r.mem)", "--time=\(r.time)",
    ]
    if r.gpus > 0 { arguments.append("--gpus=\(r.gpus)") }
    if let p = options.partition ?? plan.spec.slurm?.partition { arguments.append("--partition=\(p)") }
    arguments += options.extraOptions.map { "--" + $0 }
    return arguments
  }

  /// The shell command of a job: this `flens` on the same experiment and run directory, one step.
  func jobCommand(step: String, kind: SlurmSpec.StepKind) -> String {
    var arguments = [options.flens, "run", options.experimentFile, "--out", runDirectory, "--step"]
    var command = arguments.map(Self.shellQuoted).joined(separator: " ") + " \"" + step + "\""
    arguments = options.pluginPaths.flatMap { ["--plugin-path", $0] }
    let threads = options.threads ?? plan.spec.threads ?? (plan.spec.slurm ?? SlurmSpec()).resources(for: kind).cpus
    arguments += ["--threads", String(threads)]
    if let device = options.device { arguments += ["--device", device] }
    command += " " + arguments.map(Self.shellQuoted).joined(separator: " ")
    return "exec " + command
  }

  static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
