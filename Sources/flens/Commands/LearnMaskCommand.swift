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
      in masked accuracy. Reads the test split by default: the first --images (or --limit) \
      images from --offset learn the mask, and the next --validation images (1000) measure it \
      on images it never saw (summary.json: learning_retention, validation_retention, \
      learning_images, validation_images).

      Dataset and class masks learn until they converge: the learning rate stays at --lr \
      until sparsity and retention drift by at most --tolerance (0.01) over the last \
      --patience epochs (5), then decays over 3 epochs. --epochs (60) is a cap: a run that \
      reaches it unconverged is warned about and summary.json says converged: false. The mask \
      kept is the last one whose masked accuracy reaches --accuracy-target (0.99) × clean \
      accuracy on the learning images (when none does, a warning names the mask and \
      summary.json says target_met: false); the terminal says which epoch, and summary.json \
      records kept_epoch. The paper's exact setting is --lambda 0.2 --lr 0.001.

      --retention R[,R2,...] chooses λ instead, so that masks of different models compare at \
      the same accuracy: a regularisation path of converged masks. It brackets first: λ = \
      --lambda-start (0.005), multiplied by --lambda-factor (2) while some mask still meets the \
      smallest R on the validation images (and λ ≤ --lambda-max, 5); then it narrows, for \
      each R, the bracket between the largest λ meeting R and the next λ tried (at the λ \
      where retention, linear in log λ, reaches R; bisecting when that is slow), until they \
      are within a factor --lambda-resolution (1.1). Every λ starts from the mask of a smaller one. For \
      each R (and each class with --scope class), the sparsest mask of the path with masked \
      accuracy ≥ R × clean accuracy on the validation images is written to DIR/retention-<R>/ \
      (the layout below; summary.json adds retention_target, lambda, target_met and path), \
      and every λ tried to DIR/path.csv. Not for --scope image.

      --adversarial SPEC learns an adversarial map: every image is first attacked with the \
      attack plugin SPEC (batch b seeded from --seed and b) and the mask is learned on the \
      adversarial images, labelled with the model's predictions on them, so it keeps the \
      adversarial prediction; DIR also gets perturbation.npy (adversarial − clean), \
      adversarial-labels.npy and adversarial.json.
      Writes DIR/mask.npy (unshifted layout; H×W, C×H×W with --per-channel, with a leading \
      dimension per class or image for --scope class|image), theta.npy, summary.json, \
      history.csv, mask.png and examples.png.

      Ctrl-C stops before the next optimisation step, writes DIR/checkpoint.json and exits \
      with status 130; the same command with --resume continues exactly where it stopped \
      (the result is bit-identical to an uninterrupted run). A killed run also resumes, from \
      its last epoch.

      Examples:
        flens learn-mask --model runs/standard --data ../shared/data/cifar10 \\
          --grayscale --limit 2000 --epochs 30 --out masks/standard
        flens learn-mask --model runs/standard --data ../shared/data/cifar10 \\
          --grayscale --limit 2000 --retention 0.99,0.95 --out masks/standard
      """)

  @OptionGroup var modelOptions: ModelOptions

  @OptionGroup var data: DataOptions<TestSplitByDefault>

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

  @Option(help: "The cap on epochs per λ (dataset and class masks stop when converged; for --scope image: optimisation steps per image; default 60, 300 for image).")
  var epochs: Int?

  @Option(help: "Images per batch.")
  var batch = 64

  @Option(help: "What the mask must preserve: paper (the paper's invariance), kl, or ce.")
  var objective: MaskObjective = .paper

  @Option(help: "One mask for the dataset, one per class, or one per image.")
  var scope: MaskScope = .dataset

  @Option(help: ArgumentHelp("Learn from N images from --offset on (same as --limit).", valueName: "n"))
  var images: Int?

  @Option(help: ArgumentHelp("Measure the masks on the M images after the learning images, which they never saw (0: none; fewer when the split ends sooner; not for --scope image or --adversarial).", valueName: "m"))
  var validation = 1000

  @Option(help: "Independent runs with seeds S, S+1, ... (mean mask, spread per frequency and band).")
  var seeds = 1

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: "Keep a mask once masked accuracy ≥ this fraction of clean accuracy (with --retention, the smallest R takes its place).")
  var accuracyTarget: Float = 0.99

  @Option(help: "Convergence window: the epochs over which sparsity and retention must drift by at most --tolerance.")
  var patience = 5

  @Option(help: "Convergence tolerance: the largest drift of sparsity and of retention over the window.")
  var tolerance: Float = 0.01

  @Option(help: ArgumentHelp("Find, per seed and mask, the sparsest mask with masked accuracy ≥ R × clean accuracy, "
                              + "for each R in (0, 1] (λ chosen along a regularisation path; see above).",
                              valueName: "R,..."))
  var retention: String?

  @Option(help: "--retention: the first λ of the path.")
  var lambdaStart: Float = 0.005

  @Option(help: "--retention: the factor between successive λ of the path's bracketing (> 1).")
  var lambdaFactor: Float = 2

  @Option(help: "--retention: the path stops narrowing when the λ around each R are within this factor (> 1).")
  var lambdaResolution: Float = 1.1

  @Option(help: "--retention: the largest λ the path tries.")
  var lambdaMax: Float = 5

  @Flag(help: "Continue an interrupted run in --out from its last checkpoint.")
  var resume = false

  @Option(help: ArgumentHelp("Learn an adversarial map (Basile et al. 2023): attack the images with this attack plugin first and learn the mask that keeps the adversarial predictions.", valueName: "spec"))
  var adversarial: String?

  @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
  var out: String


  @OptionGroup var plugins: PluginPathOptions

  @Flag(help: "Print the summary as JSON on stdout.")
  var json = false

  func validate() throws {
    if let images, images <= 0 { throw ValidationError("--images must be ≥ 1, got \(images)") }
    if let adversarial { _ = try PluginSpec.parse(adversarial, option: "--adversarial") }
    if seeds < 1 { throw ValidationError("--seeds must be ≥ 1, got \(seeds)") }
    if validation < 0 { throw ValidationError("--validation must be ≥ 0, got \(validation)") }
    try config().validate()
    if let path = try retentionPath() {
      try path.validate()
      if lambda != nil { throw ValidationError("--lambda and --retention exclude each other: the path chooses λ (see --lambda-start)") }
      if scope == .image { throw ValidationError("--retention works with --scope dataset or class, not --scope image") }
    }
  }

  /// The regularisation path of `--retention`, or nil without it.
  func retentionPath() throws -> RetentionPathConfig? {
    guard let retention else { return nil }
    let targets = try retention.split(separator: ",", omittingEmptySubsequences: false).map { part in
      let text = part.trimmingCharacters(in: .whitespaces)
      guard let r = Float(text) else {
        throw ValidationError("--retention takes fractions of clean accuracy such as 0.95,0.9; '\(text)' is not a number")
      }
      return r
    }
    var path = RetentionPathConfig(targets: targets)
    path.startLambda = lambdaStart
    path.stepFactor = lambdaFactor
    path.maxLambda = lambdaMax
    path.resolution = lambdaResolution
    return path
  }

  func config() -> MaskLearningConfig {
    var s = MaskSettings()
    (s.scope, s.objective, s.transform, s.perChannel) = (scope, objective, transform, perChannel)
    (s.lambda, s.learningRate, s.epochs, s.batchSize) = (lambda, lr, epochs, batch)
    (s.accuracyTarget, s.patience, s.tolerance, s.seed) = (accuracyTarget, patience, tolerance, seed)
    return s.config
  }

  func run() throws {
    let classifier = try modelOptions.load()
    var dataset = try data.open()
    if let images, images < dataset.info.count { dataset = try ImageRangeDataset(base: dataset, count: images) }
    let input = classifier.description.input
    guard dataset.info.shape == input else {
      throw FourierLensError.shapeMismatch("\(data.data ?? "data") has images of shape \(dataset.info.shape), model \(modelOptions.model) expects \(input) (use --grayscale/--size)")
    }
    let registry = plugins.registry()
    let config = config()
    // Fail on a bad --param before any work starts.
    _ = try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
    let lock = try DirectoryLock.acquire(out, mode: .exclusive, command: "flens learn-mask")
    defer { withExtendedLifetime(lock) {} }
    // What to say about the images and the cap: said once the run is done, so that a refusal
    // or a stop stays the one line it is.
    var notes: [String] = []
    let validationImages = scope == .image || adversarial != nil ? nil : try heldOutImages(after: dataset, notes: &notes)
    var dataName = data.data ?? ""
    if let adversarial {
      // The adversarial examples, labelled with the adversarial predictions, are the learner's data.
      let attack = try registry.makeAttack(PluginSpec.parse(adversarial, option: "--adversarial"))
      let examples = try AdversarialExamples.generate(from: dataset, attack: attack, spec: adversarial, model: classifier,
                                                      batchSize: batch, seed: seed)
      try examples.write(to: out)
      dataset = examples.dataset
      dataName += " (adversarial: \(adversarial))"
    }
    var job = MaskLearningJob(
      model: classifier, modelName: modelOptions.model, dataset: dataset, dataName: dataName, paramSpec: param,
      makeParameterization: {
        try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
      }, config: config)
    job.validation = validationImages
    if scope != .image, config.epochs < config.warmupEpochs + config.patience + config.decayLength {
      notes.append("warning: --epochs \(config.epochs) leaves no room to judge convergence (\(config.warmupEpochs) warm-up "
                   + "+ --patience \(config.patience) epochs before the decay); the masks are reported not converged")
    }
    func sayNotes() { if !json { for n in notes { FileHandle.standardError.write(Data("learn-mask: \(n)\n".utf8)) } } }
    job.seeds = seeds
    job.resume = resume
    job.showsProgress = !json
    Interruption.install()
    job.shouldStop = { Interruption.requested }
    if let path = try retentionPath() {
      job.retention = path
      let summaries = try job.runRetention(to: out)
      Interruption.uninstall()
      sayNotes()
      try printRetention(summaries)
      return
    }
    let summary = try job.run(to: out)
    Interruption.uninstall()
    sayNotes()
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    } else {
      print(String(format: "clean %.4f  masked %.4f  complementary %.4f  sparsity %.4f  epochs %d%@%@  → %@",
                   summary.cleanAccuracy, summary.maskedAccuracy, summary.complementaryAccuracy, summary.sparsity,
                   summary.epochsRun, Self.describeRetentions(summary), Self.describeConvergence(summary), out))
    }
  }

  /// The validation images: the `validation` images after `learning` in the same split, as
  /// many as there are; nil (with a note) when there are none or none are asked for.
  private func heldOutImages(after learning: Dataset, notes: inout [String]) throws -> Dataset? {
    guard validation > 0 else { return nil }
    let start = learning.info.offset + learning.info.count
    let rest = try data.open(offset: 0, limit: nil)
    guard start < rest.info.count else {
      notes.append("warning: no images after the \(learning.info.range.description) learning images were left for "
                   + "--validation; retention was measured on the learning images only")
      return nil
    }
    let held = try ImageRangeDataset(base: rest, offset: start, count: validation)
    if held.info.count < validation {
      notes.append("only \(held.info.count) validation images \(held.info.range.description) remained after the learning images")
    }
    return held
  }

  /// `  retention 0.97 (learning) / 0.95 (held out)`.
  static func describeRetentions(_ s: MaskSummary) -> String {
    let learning = s.learningRetention ?? s.retention
    guard let held = s.validationRetention else { return String(format: "  retention %.4f (learning images)", learning) }
    return String(format: "  retention %.4f (learning) / %.4f (held out)", learning, held)
  }

  static func describeConvergence(_ s: MaskSummary) -> String {
    switch s.converged {
    case true?: return "  converged"
    case false?: return "  NOT CONVERGED"
    case nil: return ""
    }
  }

  /// One line per target, or with --json one object: `retention` (the summaries, in the
  /// order given) and `path_csv`.
  private func printRetention(_ summaries: [MaskSummary]) throws {
    if json {
      struct Output: Encodable {
        var retention: [MaskSummary]
        var pathCSV: String
        enum CodingKeys: String, CodingKey { case retention, pathCSV = "path_csv" }
      }
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(Output(retention: summaries, pathCSV: out + "/path.csv")), as: UTF8.self))
      return
    }
    for s in summaries {
      let r = s.retentionTarget ?? 0
      print(String(format: "retention %g: λ %g  clean %.4f  masked %.4f  sparsity %.4f%@%@  %@  → %@/%@", Double(r),
                   Double(s.lambda), s.cleanAccuracy, s.maskedAccuracy, s.sparsity, Self.describeRetentions(s),
                   Self.describeConvergence(s), s.targetMet == false ? "TARGET NOT MET" : "target met", out,
                   RetentionPathConfig.directoryName(r)))
    }
    print("path: \(out)/path.csv")
  }
}
