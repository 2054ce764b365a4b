import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

extension OptimizerKind: ExpressibleByArgument {}

/// `flens train`: trains a built-in architecture on a dataset and writes a model directory.
struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Train a classifier (smallcnn, resnet18, resnet18-imagenet, vgg11bn) on a dataset.",
    discussion: """
      Mini-batch training with SGD (Nesterov momentum 0.9) or Adam, weight decay and a \
      one-cycle learning rate (warm-up, then cosine anneal), evaluated on the test split \
      after every epoch. --augment applies augmentation plugins to every batch (with seeds \
      derived from --seed and the step); --adversarial replaces every batch by its \
      adversarial version (Madry et al.), computed with the model in evaluation mode. \
      `flens plugins` lists the plugins and their options. MODEL receives the best model so far (by test accuracy): \
      model.json (architecture, input, normalisation, classes, how it was trained) and \
      weights.pt (a dict of tensors that Python's torch.load reads). MODEL/checkpoint \
      holds the state of the run: after Ctrl-C (which stops after the current step and exits \
      with status 130) or --max-steps, rerun the same command with --resume to continue \
      exactly where it stopped; the result is the same as an uninterrupted run. A killed \
      run resumes from its last checkpoint (--checkpoint-every N for finer ones). The \
      normalisation (per-channel mean/std of the training images unless --mean/--std are \
      given) is part of the model.

      --seeds K trains K networks that differ only in their seed (network k uses seed \
      --seed + k, so network 0 is the network of --seeds 1) into MODEL@0 … MODEL@(K−1), \
      one after another; `flens report` treats masks of directories named NAME@k as \
      networks of one condition NAME. With --resume each network continues from its own \
      checkpoint.

      Examples:
        flens train --arch smallcnn --data ../shared/data/cifar10 --epochs 15 \\
          --out runs/smallcnn
        flens train --arch resnet18 --data ../shared/data/cifar10 --grayscale \\
          --epochs 30 \\
          --augment base --adversarial pgd-linf:eps=0.06,space=normalized \\
          --out runs/adversarial
      """
  )

  @Option(name: .long, help: ArgumentHelp("The architecture to train.", valueName: "arch"))
  var arch: TorchArchitecture

  @OptionGroup var dataOptions: DataOptions<TrainSplitByDefault>

  @Option(name: .long, help: ArgumentHelp("Number of passes over the training data.", valueName: "n"))
  var epochs: Int

  @Option(name: .long, help: ArgumentHelp("Images per optimisation step.", valueName: "n"))
  var batch = 128

  @Option(name: .long, help: ArgumentHelp("Peak learning rate (default: 0.1 for sgd, 0.002 for adam).", valueName: "lr"))
  var lr: Double?

  @Option(name: .long, help: "Optimizer: sgd or adam.")
  var optimizer: OptimizerKind = .sgd

  @Option(name: .long, help: ArgumentHelp("L2 weight decay.", valueName: "wd"))
  var weightDecay = 5e-4

  @Option(name: .long, help: ArgumentHelp("Fraction of the steps spent warming the learning rate up.", valueName: "f"))
  var warmup = 0.25

  @Option(name: .long, help: ArgumentHelp("Seed of every random choice (initialisation, order, augmentation).", valueName: "s"))
  var seed: UInt64 = 0

  @Option(name: .long, help: ArgumentHelp("Train K networks, seeds --seed + k, into MODEL@k (k = 0…K−1).", valueName: "K"))
  var seeds = 1

  @Option(name: .long, help: ArgumentHelp(
    "Augmentation plugins applied to every training batch, in order: SPEC,SPEC,... with SPEC = name:key=value,... (e.g. base,rotate:degrees=30).",
    valueName: "specs"))
  var augment: String?

  @Option(name: .long, help: ArgumentHelp(
    "Adversarial training: every batch is replaced by its adversarial version from this attack plugin (e.g. pgd-linf:eps=0.06,space=normalized).",
    valueName: "spec"))
  var adversarial: String?

  @OptionGroup var pluginOptions: PluginPathOptions

  @OptionGroup var compute: ComputeOptions

  @Option(name: .long, help: ArgumentHelp("Normalisation means per channel, comma-separated (default: from the training data).", valueName: "m,..."))
  var mean: String?

  @Option(name: .long, help: ArgumentHelp("Normalisation standard deviations per channel (default: from the training data).", valueName: "s,..."))
  var std: String?

  @Flag(name: .long, help: "Skip the per-epoch evaluation on the test split (the last epoch's model is kept).")
  var noEval = false

  @Option(name: .long, help: ArgumentHelp("Evaluate on the first N test images only.", valueName: "n"))
  var testLimit: Int?

  @Option(name: .long, help: ArgumentHelp("Also write a checkpoint every N steps inside an epoch.", valueName: "n"))
  var checkpointEvery: Int?

  @Option(name: .long, help: ArgumentHelp("Stop after N steps in this run, writing a checkpoint (continue with --resume).", valueName: "n"))
  var maxSteps: Int?

  @Option(name: .long, help: ArgumentHelp("Memory order of activations inside libtorch: auto (the faster one for the architecture), nchw or nhwc (channels-last).", valueName: "order"))
  var memoryFormat: String = "auto"

  @Flag(name: .long, help: "Continue the run whose checkpoint is in MODEL/checkpoint (same options).")
  var resume = false

  @Option(name: .long, help: ArgumentHelp("The model directory to write.", valueName: "model"))
  var out: String

  @Flag(name: .long, help: "No progress output on stderr.")
  var quiet = false

  @Flag(name: .long, help: "Print one JSON object on stdout: accuracy, throughput and per-epoch history.")
  var json = false

  func validate() throws {
    if dataOptions.data == nil { throw FourierLensError.badOption(name: "--data", reason: "give the training data (--data PATH)") }
    if out.isEmpty { throw FourierLensError.badOption(name: "--out", reason: "empty path") }
    if seeds < 1 { throw FourierLensError.badOption(name: "--seeds", reason: "must be at least 1, got \(seeds)") }
    if let testLimit, testLimit < 1 { throw FourierLensError.badOption(name: "--test-limit", reason: "must be positive, got \(testLimit)") }
    if let maxSteps, maxSteps < 1 { throw FourierLensError.badOption(name: "--max-steps", reason: "must be positive, got \(maxSteps)") }
    try MemoryFormat.validate(memoryFormat)
    if (mean == nil) != (std == nil) { throw FourierLensError.badOption(name: mean == nil ? "--mean" : "--std", reason: "give --mean and --std together") }
    if let augment { _ = try PluginSpec.parseList(augment, option: "--augment") }
    if let adversarial { _ = try PluginSpec.parse(adversarial, option: "--adversarial") }
    try configuration().validate()
  }

  /// The training options; plugin specs are recorded in their canonical spelling so that
  /// `--resume` recognises the same run.
  func configuration(seed: UInt64? = nil) throws -> TrainingConfiguration {
    let seed = seed ?? self.seed
    let augmentations = try augment.map { try PluginSpec.parseList($0, option: "--augment").map(\.description) } ?? []
    let attack = try adversarial.map { try PluginSpec.parse($0, option: "--adversarial").description }
    return TrainingConfiguration(epochs: epochs, batchSize: batch, learningRate: lr, optimizer: optimizer, weightDecay: weightDecay,
                                 warmupFraction: warmup, seed: seed, checkpointEverySteps: checkpointEvery,
                                 augmentations: augmentations, attack: attack)
  }

  static func parseFloats(_ text: String, option: String) throws -> [Float] {
    let values = text.split(separator: ",").map { Float($0.trimmingCharacters(in: .whitespaces)) }
    guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite }) else {
      throw FourierLensError.badOption(name: option, reason: "expected comma-separated numbers, got '\(text)'")
    }
    return values.map { $0! }
  }

  /// What `--json` prints.
  /// What `--json` prints (keys in snake_case: epochs_completed, best_epoch, test_accuracy,
  /// images_per_s, train_seconds, interrupted, history).
  struct Report: Encodable {
    var model: String
    var arch: String
    var epochsCompleted: Int
    var steps: Int
    var bestEpoch: Int?
    var testAccuracy: Double?
    var imagesPerS: Double
    var trainSeconds: Double
    var interrupted: Bool
    var cpuSecondsPerImage: Double?
    var history: [EpochRecord]
  }

  /// The model directory of network k: MODEL itself for a single network, else MODEL@k.
  static func networkDirectory(_ out: String, network k: Int, of count: Int) -> String {
    count == 1 ? out : "\(out)@\(k)"
  }

  func run() throws {
    try compute.applyThreads()
    let dataPath = try dataOptions.requiredPath()
    let train = try dataOptions.open()
    var test: Dataset?
    if !noEval {
      test = try DatasetLoader.open(dataPath, split: .test, preprocessing: dataOptions.preprocessing, limit: testLimit)
    }
    var reports: [Report] = []
    for k in 0..<seeds {
      let directory = Self.networkDirectory(out, network: k, of: seeds)
      if seeds > 1 && !quiet { FileHandle.standardError.write(Data("network \(k + 1) of \(seeds): seed \(seed + UInt64(k)), \(directory)\n".utf8)) }
      let (summary, report) = try trainNetwork(train: train, test: test, out: directory, seed: seed + UInt64(k))
      reports.append(report)
      if summary.interrupted { break }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      encoder.keyEncodingStrategy = .convertToSnakeCase
      // One network: its object, as always; several: {"networks": [one object per network]}.
      let data = seeds == 1 ? try encoder.encode(reports[0]) : try encoder.encode(["networks": reports])
      print(String(decoding: data, as: UTF8.self))
    }
  }

  /// Trains one network into `out` with `seed`; prints its line unless --json.
  func trainNetwork(train: Dataset, test: Dataset?, out: String, seed: UInt64) throws -> (TrainingSummary, Report) {
    var normalisation: (mean: [Float], std: [Float])
    if resume, let previous = try TorchTrainer.checkpointedModel(in: out) {
      normalisation = (previous.mean, previous.std)
    } else if let mean, let std {
      normalisation = (try Self.parseFloats(mean, option: "--mean"), try Self.parseFloats(std, option: "--std"))
    } else {
      normalisation = try DatasetStatistics.channelMeanAndStd(train)
    }
    let channels = train.info.shape[0]
    guard normalisation.mean.count == channels, normalisation.std.count == channels else {
      throw FourierLensError.badOption(name: "--mean", reason: "needs \(channels) values (one per channel of the data), got \(normalisation.mean.count) means and \(normalisation.std.count) stds")
    }
    let model = try TorchModel.create(architecture: arch, input: train.info.shape, mean: normalisation.mean,
                                      std: normalisation.std, classes: train.info.classes,
                                      seed: SeededGenerator.derive(seed, 0))
    try model.move(to: compute.computeDevice())
    try MemoryFormat.apply(memoryFormat, to: model)
    let config = try configuration(seed: seed)
    var augmentations: [Augmentation] = []
    var attack: Attack?
    if !config.augmentations.isEmpty || config.attack != nil {
      let registry = pluginOptions.registry()
      augmentations = try config.augmentations.map { try registry.makeAugmentation($0) }
      attack = try config.attack.map { try registry.makeAttack($0) }
    }
    let trainer = try TorchTrainer(model: model, configuration: config, augmentations: augmentations, attack: attack)
    trainer.maxSteps = maxSteps
    trainer.record = TrainingRecord(data: try dataOptions.requiredPath(), format: train.info.format, trainImages: train.info.count,
                                    grayscale: dataOptions.grayscale, size: dataOptions.size.map { "\($0.height)x\($0.width)" })
    let printer = TrainingProgressPrinter(quiet: quiet)
    trainer.observer = { printer.handle($0) }
    // Ctrl-C: stop before the next step with a checkpoint and `Interrupted` (a second one exits at once).
    Interruption.install()
    trainer.shouldStop = { Interruption.requested }
    let summary = try trainer.run(train: train, test: test, output: out, resume: resume)
    Interruption.uninstall()

    let report = Report(model: out, arch: arch.rawValue, epochsCompleted: summary.epochsCompleted, steps: summary.steps,
                        bestEpoch: summary.bestEpoch, testAccuracy: summary.bestTestAccuracy,
                        imagesPerS: summary.imagesPerSecond, trainSeconds: summary.trainSeconds,
                        interrupted: summary.interrupted, cpuSecondsPerImage: summary.cpuSecondsPerImage,
                        history: summary.history)
    if !json && !summary.interrupted {
      let accuracy = summary.bestTestAccuracy.map { String(format: ", best test accuracy %.2f%% (epoch %d)", 100 * $0, summary.bestEpoch ?? 0) } ?? ""
      print("trained \(arch.rawValue) for \(summary.epochsCompleted) epochs\(accuracy), \(String(format: "%.0f", summary.imagesPerSecond)) img/s; model in \(out)")
    }
    return (summary, report)
  }
}
