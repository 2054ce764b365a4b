import ArgumentParser
import Foundation
import FourierLens
import FourierLensExperimentSpec
import FourierLensExperiments

/// The embedded default: the whole pipeline on data the toolkit generates itself.
struct DemoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "demo",
    abstract: "Run the whole pipeline on built-in synthetic data and write a comparison report.",
    discussion: """
      Generates images whose classes differ both in a large low-frequency shape and in a \
      faint high-frequency oriented texture, trains a standard and an adversarially trained \
      small CNN, learns their Fourier masks at matched accuracy retention (the sparsest mask \
      keeping 95 % and 99 % of each model's clean accuracy, λ chosen per model), probes them \
      and writes report/index.html (one report per retention, and their index). At the same \
      retention the adversarially trained model's mask sits at lower frequencies: the \
      paper's finding. DIR/demo-settings.json records these settings.

      Settings:
      \(settings.text)

      Example:
        flens demo --out demo-run
      """)

  /// The demo's settings, from the experiment below (a fixed text: a test parses it).
  static let settings = DemoSettings(try! ExperimentSpec.parse(experiment, file: "built-in demo experiment"))

  /// The demo as an experiment file: `flens run` on this text does the same.
  static let experiment = """
    name: demo
    seed: 0
    data: {path: generated, size: 32, train_limit: 3000, test_limit: 500}
    models:
      standard: {arch: smallcnn, epochs: 4, batch: 128}
      adversarial: {arch: smallcnn, epochs: 4, batch: 128, adversarial: "pgd-linf:eps=0.05,alpha=0.02,steps=3"}
    masks: {param: free, lr: 0.02, epochs: 40, batch: 32, images: 300, validation: 300, seeds: 3,
            retention: [0.9, 0.95], lambda_start: 0.02, lambda_factor: 2, lambda_resolution: 1.5}
    probes:
      images: 100
      run: [accuracy, "heatmap:eps=2", passband, "bands:radial=16,angular=8", "attack:pgd-linf:eps=0.03,steps=5"]
    report: {baseline: standard}
    """

  @Option(help: ArgumentHelp("Run directory.", valueName: "dir"))
  var out = "demo-run"

  /// `--threads` and `--device` override the experiment's `threads` and `device`; neither is
  /// part of any step's cache key.
  @OptionGroup var compute: ComputeOptions

  @Flag(help: "Print only the report's path.")
  var quiet = false

  func run() throws {
    var spec = try ExperimentSpec.parse(Self.experiment, file: "built-in demo experiment")
    spec.threads = compute.threads ?? ProcessInfo.processInfo.activeProcessorCount
    spec.device = compute.device
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: out, reason: "cannot create the run directory: \(error.localizedDescription)")
    }
    try AtomicFile.writeJSON(DemoSettings(spec), to: out + "/demo-settings.json")
    let runner = try ExperimentRunner(spec: spec, specFile: "", runDirectory: out, registry: PluginRegistry(), quiet: quiet)
    Interruption.install()  // Ctrl-C: stop at the next step with a checkpoint
    let index = try runner.run()
    print(index)
  }
}
