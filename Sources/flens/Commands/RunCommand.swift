import ArgumentParser
import Foundation
import FourierLens

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a whole experiment from a YAML or JSON file: train, learn masks, probe, report.",
    discussion: """
      Steps are cached by a hash of their configuration and inputs: running again does only \
      what changed, and an interrupted run resumes. See examples/paper-comparison/.

      Example:
        flens run examples/paper-comparison/experiment.yaml --out runs/paper
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

  @Flag(help: "Print only the report's path.")
  var quiet = false

  func run() throws {
    var spec = try ExperimentSpec.load(experiment)
    if let threads = compute.threads { spec.threads = threads }
    if let device = compute.device { spec.device = device }
    let name = spec.name ?? ((experiment as NSString).lastPathComponent as NSString).deletingPathExtension
    let runner = ExperimentRunner(spec: spec, specFile: experiment, runDirectory: out ?? "runs/\(name)",
                                  registry: PluginRegistry(pluginPaths: pluginPath), quiet: quiet)
    Interruption.install()  // Ctrl-C: stop at the next step with a checkpoint
    print(try runner.run())
  }
}
