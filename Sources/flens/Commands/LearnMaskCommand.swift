import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

extension MaskObjective: ExpressibleByArgument {}
extension MaskScope: ExpressibleByArgument {}

struct LearnMaskCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "learn-mask",
    abstract: "Learn a Fourier mask: the frequencies a model needs (Karantzas et al. 2022).",
    discussion: """
      The mask M multiplies the spectrum of the model's normalised input, x_M = T⁻¹(M ⊙ T(x)), \
      and is trained so that the model's loss is unchanged (invariance) while ‖M‖₁/‖M₀‖₁ is \
      pushed down (sparsity, weighted by --lambda). Larger λ gives sparser masks at some cost \
      in masked accuracy; the mask kept is the last one whose masked accuracy reaches 99 % of \
      clean accuracy. The paper's exact setting is --lambda 0.2 --lr 0.001.

      Writes DIR/mask.npy (unshifted layout; H×W, C×H×W with --per-channel, with a leading \
      dimension per class or image for --scope class|image), theta.npy, summary.json, \
      history.csv, mask.png and examples.png.

      Ctrl-C stops before the next optimisation step, writes DIR/checkpoint.json and exits \
      with status 130; the same command with --resume continues exactly where it stopped \
      (the result is bit-identical to an uninterrupted run). A killed run also resumes, from \
      its last epoch.

      Example:
        flens learn-mask --model runs/standard --data ../shared/data/cifar10 \\
          --grayscale \\
          --limit 2000 --epochs 30 --out masks/standard
      """)

  @OptionGroup var modelOptions: ModelOptions

  @OptionGroup var data: DataOptions

  @Option(help: ArgumentHelp("Mask parameterization plugin spec (`free`, `radial:bands=16`, ...).", valueName: "spec"))
  var param = "free"

  @Option(help: "Frequency transform: dft or dct.")
  var transform: TransformKind = .dft

  @Flag(help: "Learn one mask per colour channel instead of one shared by all channels.")
  var perChannel = false

  @Option(name: .customLong("lambda"), help: "Weight λ of the sparsity term (default 0.02; 0.07 for --scope image).")
  var lambda: Float?

  @Option(help: "Peak learning rate of the one-cycle schedule (default 0.01; 0.2 for --scope image).")
  var lr: Float?

  @Option(help: "Maximum epochs (for --scope image: optimisation steps per image; default 30, 300 for image).")
  var epochs: Int?

  @Option(help: "Images per batch.")
  var batch = 64

  @Option(help: "What the mask must preserve: paper (the paper's invariance), kl, or ce.")
  var objective: MaskObjective = .paper

  @Option(help: "One mask for the dataset, one per class, or one per image.")
  var scope: MaskScope = .dataset

  @Option(help: ArgumentHelp("Use the first N images (same as --limit).", valueName: "n"))
  var images: Int?

  @Option(help: "Independent runs with seeds S, S+1, ... (mean mask, spread per frequency and band).")
  var seeds = 1

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "Keep a mask once masked accuracy ≥ this fraction of clean accuracy.")
  var accuracyTarget: Float = 0.99

  @Option(help: "Stop after this many epochs with the sparsity term changing ≤ 1e-5.")
  var patience = 7

  @Flag(help: "Continue an interrupted run in --out from its last checkpoint.")
  var resume = false

  @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
  var out: String


  @OptionGroup var plugins: PluginPathOptions

  @Flag(help: "Print the summary as JSON on stdout.")
  var json = false

  func validate() throws {
    if let images, images <= 0 { throw ValidationError("--images must be ≥ 1, got \(images)") }
    if seeds < 1 { throw ValidationError("--seeds must be ≥ 1, got \(seeds)") }
    try config().validate()
  }

  func config() -> MaskLearningConfig {
    var c = scope == .image ? MaskLearningConfig.singleImageDefaults() : MaskLearningConfig()
    c.scope = scope
    c.objective = objective
    c.transform = transform
    c.layout = perChannel ? .perChannel : .shared
    if let lambda { c.lambda = lambda }
    if let lr { c.learningRate = lr }
    if let epochs { c.epochs = epochs }
    c.batchSize = batch
    c.seed = seed
    c.accuracyTarget = accuracyTarget
    c.patience = patience
    return c
  }

  func run() throws {
    let classifier = try modelOptions.load()
    var dataset = try data.open(defaultSplit: .test)
    if let images, images < dataset.info.count { dataset = PrefixDataset(base: dataset, count: images) }
    let input = classifier.description.input
    guard dataset.info.shape == input else {
      throw FourierLensError.shapeMismatch("\(data.data ?? "data") has images of shape \(dataset.info.shape), model \(modelOptions.model) expects \(input) (use --grayscale/--size)")
    }
    let registry = plugins.registry()
    let config = config()
    // Fail on a bad --param before any work starts.
    _ = try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
    var job = MaskLearningJob(
      model: classifier, modelName: modelOptions.model, dataset: dataset, dataName: data.data ?? "", paramSpec: param,
      makeParameterization: {
        try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
      }, config: config)
    job.seeds = seeds
    job.resume = resume
    job.showsProgress = !json
    Interruption.install()
    job.shouldStop = { Interruption.requested }
    let summary = try job.run(to: out)
    Interruption.uninstall()
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    } else {
      print(String(format: "clean %.4f  masked %.4f  complementary %.4f  sparsity %.4f  epochs %d  → %@",
                   summary.cleanAccuracy, summary.maskedAccuracy, summary.complementaryAccuracy, summary.sparsity,
                   summary.epochsRun, out))
    }
  }
}
