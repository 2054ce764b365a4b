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
    let registry = PluginRegistry(pluginPaths: pluginPath)
    let plan = try ExperimentPlan(spec: spec, specFile: experiment, registry: registry)
    let runDirectory = out ?? "runs/\(name)"
    let runner = ExperimentRunner(plan: plan, runDirectory: runDirectory, registry: registry, quiet: quiet)
    if let step {
      Interruption.install()
      try runner.run(step: try ExperimentStep(parsing: step))
      return
    }
    switch executor {
    case .local:
      Interruption.install()  // Ctrl-C: stop at the next step with a checkpoint
      print(try runner.run())
    case .slurm:
      try runOnSlurm(spec: spec, runDirectory: runDirectory, registry: registry)
    }
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
