import ArgumentParser
import Foundation
import FourierLens
import FourierLensExperimentSpec
import FourierLensExperiments

/// Where the steps of `flens run` execute.
enum ExecutorKind: String, ExpressibleByArgument, CaseIterable {
  case local, slurm
}

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a whole experiment from a YAML or JSON file: train, learn masks, probe, report.",
    discussion: """
      Steps are cached by a hash of their configuration and inputs: running again does only \
      what changed, and an interrupted run resumes. See examples/paper-comparison/.

      With --executor slurm every step not yet complete becomes an sbatch job (train → masks → \
      probes → report, with afterok dependencies; a mask's seeds, or the shards of an image-scope \
      mask's images (slurm.shard_images), as a job array) that runs \
      flens on the same run directory, which must be on storage the cluster's nodes share. \
      Running the command again submits only what is neither complete nor queued; --wait \
      follows the jobs and names the log of any that failed.

      Examples:
        flens run examples/paper-comparison/experiment.yaml --out runs/paper
        flens run examples/paper-comparison/experiment.yaml --out runs/paper \\
          --executor slurm --partition cpu --wait
      """)

  @Argument(help: ArgumentHelp("The experiment file (.yaml, .yml or .json).", valueName: "experiment"))
  var experiment: String

  @Option(help: ArgumentHelp("Run directory (default: runs/<experiment name>).", valueName: "dir"))
  var out: String?

  @Option(help: ArgumentHelp("Extra plugin directories.", valueName: "dir"))
  var pluginPath: [String] = []

  /// `--threads` and `--device` override the experiment's `threads` and `device`; neither is
  /// part of any step's cache key.
  @OptionGroup var compute: ComputeOptions

  @Option(help: "Where the steps run: local (this process) or slurm (sbatch jobs).")
  var executor: ExecutorKind = .local

  @Option(help: ArgumentHelp("Slurm partition of the jobs (overrides the experiment's slurm.partition).", valueName: "name"))
  var partition: String?

  @Option(name: .customLong("slurm-option"),
          help: ArgumentHelp("An extra sbatch option for every job, KEY=VALUE or KEY (e.g. account=lab, qos=long).", valueName: "K=V"))
  var slurmOptions: [String] = []

  @Flag(help: "With --executor slurm: wait for the jobs, showing their progress, and print the report's path.")
  var wait = false

  /// One step only: what a Slurm job runs (`train/NAME`, `mask/NAME`, `mask-seed/NAME/K`,
  /// `mask-shard/NAME/K/S`, `adversarial-map/NAME`, `probe/NAME`, `report`).
  @Option(help: .hidden)
  var step: String?

  @Flag(help: "Print only the report's path.")
  var quiet = false

  func validate() throws {
    if executor == .local && (partition != nil || !slurmOptions.isEmpty || wait) {
      throw ValidationError("--partition, --slurm-option and --wait need --executor slurm")
    }
    for option in slurmOptions where option.isEmpty || option.hasPrefix("-") || option.contains(where: \.isWhitespace) && !option.contains("=") {
      throw ValidationError("--slurm-option takes KEY=VALUE or KEY without leading dashes, got '\(option)'")
    }
    if step != nil && executor != .local { throw ValidationError("--step runs one step here: it takes no --executor") }
  }

  func run() throws {
    var spec = try ExperimentSpec.load(experiment)
    if let threads = compute.threads { spec.threads = threads }
    if let device = compute.device { spec.device = device }
    let name = spec.name ?? ((experiment as NSString).lastPathComponent as NSString).deletingPathExtension
    let runDirectory = out ?? "runs/\(name)"
    let parsedStep = try step.map(ExperimentStep.init(parsing:))
    // The directory's locks before any other work, so that a second process is refused at once.
    let created = !FileManager.default.fileExists(atPath: runDirectory)
    let locks = try lockRunDirectory(runDirectory, step: parsedStep)
    defer { withExtendedLifetime(locks) {} }
    let registry = PluginRegistry(pluginPaths: pluginPath)
    let plan: ExperimentPlan
    do {
      plan = try ExperimentPlan(spec: spec, specFile: experiment, registry: registry)
    } catch {
      if created { try? FileManager.default.removeItem(atPath: runDirectory) }  // a bad file leaves no directory behind
      throw error
    }
    let runner = ExperimentRunner(plan: plan, runDirectory: runDirectory, registry: registry, quiet: quiet)
    if let parsedStep {
      Interruption.install()
      try runner.run(step: parsedStep)
      return
    }
    switch executor {
    case .local:
      try refuseBesideQueuedJobs(runDirectory)
      Interruption.install()  // Ctrl-C: stop at the next step with a checkpoint
      print(try runner.run())
    case .slurm:
      try runOnSlurm(spec: spec, runDirectory: runDirectory, registry: registry)
    }
  }

  /// The locks of the run directory this process holds while it runs (see DirectoryLock): a
  /// local run holds the directory alone; a Slurm job (`--step`, or a step run by hand) shares
  /// it with the run's other jobs and holds its step's own lock; the submitter shares it too,
  /// and is the only submitter.
  private func lockRunDirectory(_ dir: String, step: ExperimentStep?) throws -> [DirectoryLock] {
    if let step {
      let job = ProcessInfo.processInfo.environment["SLURM_JOB_ID"].map { " (Slurm job \($0))" } ?? ""
      return [try DirectoryLock.acquire(dir, mode: .shared, command: "flens run --step"),
              try DirectoryLock.task(step.description, of: dir, command: "flens run --step \(step)\(job)")]
    }
    switch executor {
    case .local:
      return [try DirectoryLock.acquire(dir, mode: .exclusive, command: "flens run")]
    case .slurm:
      return [try DirectoryLock.acquire(dir, mode: .shared, command: "flens run --executor slurm"),
              try DirectoryLock.task("submit", of: dir, command: "flens run --executor slurm")]
    }
  }

  /// A local run does not start while Slurm jobs of the same run are queued: they would run
  /// its steps beside it. (Running jobs hold the directory's lock; queued ones cannot yet.)
  /// Without Slurm on this machine nothing can be queued from here, so nothing is checked;
  /// a job that starts later is refused by the lock while this run holds it.
  private func refuseBesideQueuedJobs(_ runDirectory: String) throws {
    guard let queued = try? SlurmExecutor.queuedJobs(ofRun: runDirectory), !queued.isEmpty else { return }
    throw FourierLensError.message(
      "\(runDirectory) has Slurm jobs queued or running (\(queued.joined(separator: ", "))); wait for them (flens run ... --executor slurm --wait) or cancel them (scancel \(queued.joined(separator: " ")))")
  }

  private func runOnSlurm(spec: ExperimentSpec, runDirectory: String, registry: PluginRegistry) throws {
    // Jobs may start in another directory on another node: every path they get is absolute.
    func absolute(_ path: String) -> String {
      URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)).standardizedFileURL.path
    }
    let runDirectory = absolute(runDirectory)
    let executable = Bundle.main.executablePath ?? CommandLine.arguments[0]
    var options = SlurmExecutor.Options(experimentFile: absolute(experiment), flens: absolute(executable))
    options.pluginPaths = pluginPath.map(absolute)
    (options.threads, options.device) = (compute.threads, compute.device)
    options.partition = partition
    options.extraOptions = slurmOptions
    // The plan again, from the experiment's absolute path as the jobs get it: a loaded model's
    // key holds its resolved path, so the submitter and the jobs must resolve alike.
    let plan = try ExperimentPlan(spec: spec, specFile: options.experimentFile, registry: registry)
    let runner = ExperimentRunner(plan: plan, runDirectory: runDirectory, registry: registry, quiet: quiet)
    let executor = SlurmExecutor(plan: plan, runDirectory: runDirectory, options: options, runner: runner)
    let submissions = try executor.submit()
    for s in submissions where !quiet {
      let what = s.action == .submitted ? "submitted as job" : "already queued as job"
      FileHandle.standardError.write(Data("[\(plan.spec.name ?? "experiment")] \(s.unit): \(what) \(s.jobID) (log \(s.log))\n".utf8))
    }
    if !wait {
      if submissions.isEmpty { print(runner.reportIndex) }  // nothing left to do: every step is complete
      else { print(submissions.map(\.jobID).joined(separator: "\n")) }
      return
    }
    let index = try executor.wait { line in
      if !quiet { FileHandle.standardError.write(Data("[\(plan.spec.name ?? "experiment")] \(line)\n".utf8)) }
    }
    print(index)
  }
}
