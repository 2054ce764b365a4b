import Foundation
import FourierLens
import FourierLensExperimentSpec
import FourierLensReport
import FourierLensTorch

/// Runs an experiment's steps (see `ExperimentPlan`) in a run directory:
///
/// ```
/// RUN/models/<name>/   trained (or referenced) models
/// RUN/masks/<name>/    learned masks (`flens learn-mask` layout)
/// RUN/adversarial-maps/<name>/   adversarial maps (`flens learn-mask --adversarial` layout)
/// RUN/probes/<name>/   probe outputs (`flens probe` layout)
/// RUN/report/          the comparison report
/// ```
///
/// Each step's directory holds `.flens-step.json` with the step's key: a hash of its
/// configuration and of the keys of the steps it reads. A step whose key is recorded as
/// complete is skipped; one recorded as started with the same key is resumed (training
/// and mask learning continue from their checkpoints); a step whose key changed starts
/// afresh. Editing one mask option therefore re-runs that mask, its probes and the report,
/// nothing else. A failing step stops the run; finished steps stay as they are.
///
/// `run()` does every step in this process; `run(step:)` does one, as a Slurm job does.
public final class ExperimentRunner {
  public let plan: ExperimentPlan
  public let runDirectory: String
  let registry: PluginRegistry
  let quiet: Bool
  /// Steps that did work in this process (the rest were cached), for tests and the summary.
  public private(set) var executedSteps: [String] = []
  private var loadedModels: [String: TorchModel] = [:]
  /// Outputs of probes that read only the architecture (`nad`), by probe, architecture and
  /// image shape: computed for the first model of an architecture, written for the others.
  private var architectureOutputs: [String: ProbeOutput] = [:]
  private var device: ComputeDevice = .auto
  /// `maskImages()`, once opened.
  private var maskImageSets: (learning: Dataset, validation: Dataset?)?

  public init(plan: ExperimentPlan, runDirectory: String, registry: PluginRegistry, quiet: Bool) {
    self.plan = plan
    self.runDirectory = runDirectory
    self.registry = registry
    self.quiet = quiet
  }

  /// Resolves `spec` into a plan first (see `ExperimentPlan`): a bad setting fails here.
  public convenience init(spec: ExperimentSpec, specFile: String, runDirectory: String, registry: PluginRegistry, quiet: Bool) throws {
    self.init(plan: try ExperimentPlan(spec: spec, specFile: specFile, registry: registry), runDirectory: runDirectory,
              registry: registry, quiet: quiet)
  }

  private var spec: ExperimentSpec { plan.spec }
  private var seed: UInt64 { plan.seed }

  private func log(_ line: String) {
    if !quiet { FileHandle.standardError.write(Data("[\(spec.name ?? "experiment")] \(line)\n".utf8)) }
  }

  // MARK: - Data

  /// Images `offset ..< offset + limit` of the split as the experiment's data spec describes
  /// it, counted from the split's `data.train_offset` / `data.test_offset`.
  func dataset(_ split: DatasetSplit, offset: Int = 0, limit: Int?) throws -> Dataset {
    let d = spec.data
    let start = (split == .train ? d.trainOffset : d.testOffset) ?? 0
    if d.path == "generated" {
      // Image i is generated from (seed, i): the split has as many as are asked for.
      let defaultCount = split == .train ? 4000 : 1000
      let count = limit ?? defaultCount
      let all = SyntheticFrequencyDataset(count: start + offset + count, size: d.size ?? 32,
                                          seed: SeededGenerator.derive(seed, split == .train ? 101 : 202))
      return start + offset == 0 ? all : try ImageRangeDataset(base: all, offset: start + offset, count: count)
    }
    let preprocessing = Preprocessing(grayscale: d.grayscale ?? false, size: d.size.map { (height: $0, width: $0) })
    return try DatasetLoader.open(plan.resolve(d.path), split: split, preprocessing: preprocessing, offset: start + offset,
                                  limit: limit)
  }

  /// The masks' learning images and their held-out validation images: the `masks.validation`
  /// images after the learning ones, as many as the split has (nil when none are asked for or
  /// left). The same for every model, so opened once per run (masks and probes both read them).
  func maskImages() throws -> (learning: Dataset, validation: Dataset?) {
    if let maskImageSets { return maskImageSets }
    let masks = plan.masks
    let learning = try dataset(masks.split, limit: masks.images)
    var validation: Dataset?
    if masks.validation > 0, masks.config.scope != .image {
      // Generated data has as many images as are asked for.
      let left = spec.data.path == "generated" ? true : learning.info.count < (try dataset(masks.split, limit: nil)).info.count
      if left {
        validation = try dataset(masks.split, offset: learning.info.count, limit: masks.validation)
      } else {
        log("warning: no \(masks.split.rawValue) images are left after the \(learning.info.count) learning images for "
            + "masks.validation; retention is judged on the learning images")
      }
    }
    maskImageSets = (learning, validation)
    return (learning, validation)
  }

  /// The probes' test images: the `probes.images` after the masks' learning and validation
  /// images when the masks learn on the test split, so that probes measure on images no mask
  /// saw; as many as are left. When the split has none left, the first ones, with a warning
  /// (their `image_range` in every probe's JSON shows the overlap).
  func probeImages(_ count: Int) throws -> Dataset {
    let masks = plan.masks
    guard masks.split == .test, masks.config.scope != .image else { return try dataset(.test, limit: count) }
    let (learning, validation) = try maskImages()
    let used = learning.info.count + (validation?.info.count ?? 0)
    let available = spec.data.path == "generated" ? Int.max : (try dataset(.test, limit: nil)).info.count
    guard used < available else {
      log("warning: no test images are left after the masks' \(learning.info.count) learning and "
          + "\(validation?.info.count ?? 0) validation images; the probes measure on the first \(count) test images, "
          + "which the masks learned from (lower masks.images or masks.validation)")
      return try dataset(.test, limit: count)
    }
    return try dataset(.test, offset: used, limit: count)
  }

  // MARK: - Running

  private func applyCompute() throws {
    try ComputeThreads.apply(spec.threads)
    device = try spec.device.map { try ComputeDevice(parsing: $0, option: "device") } ?? .auto
  }

  /// Runs every step; returns the report's index.html. The seeds and image shards of a mask
  /// are learned by its mask step here (its `mask-seed` and `mask-shard` steps are for
  /// separate jobs).
  @discardableResult
  public func run() throws -> String {
    try applyCompute()
    for step in plan.steps {
      switch step {
      case .maskSeed, .maskShard: continue
      default: try execute(step)
      }
    }
    return reportIndex
  }

  /// Runs one step, whose inputs must be complete (as Slurm's dependencies ensure).
  public func run(step: ExperimentStep) throws {
    guard plan.contains(step) else {
      throw FourierLensError.badOption(name: "--step", reason: "'\(step)' is not a step of this experiment (\(plan.steps.map(\.description).joined(separator: ", ")))")
    }
    for input in plan.dependencies(of: step) where !isComplete(input) {
      throw FourierLensError.message("step \(step) needs step \(input), which is not complete in \(runDirectory)")
    }
    try applyCompute()
    try execute(step)
  }

  public var reportIndex: String { runDirectory + "/report/index.html" }

  /// Whether `step`'s outputs are complete in the run directory under the plan's key.
  public func isComplete(_ step: ExperimentStep) -> Bool {
    let dir = plan.directory(of: step, in: runDirectory)
    if case let .maskSeed(_, k) = step {
      // A seed is complete once its own directory is, inside a mask directory of this key.
      guard StepRecord.state(of: dir, key: plan.key(of: step)) != .fresh,
            let done = try? MaskRunDirectory.read(MaskRunDirectory.seedDirectory(dir, k)) else { return false }
      return done.summary.seed == plan.masks.config.ofSeed(k).seed
    }
    if case let .maskShard(name, k, s) = step {
      // A shard is complete once every chunk of its images is kept (or its mask was merged).
      if isComplete(.mask(name)) { return true }
      let store = imageChunkStore(name), config = plan.masks.config.ofSeed(k)
      guard StepRecord.state(of: dir, key: plan.key(of: step)) != .fresh, let images = store.imageCount else { return false }
      let all = 0..<MaskLearner.imageChunkCount(images: images, batchSize: config.batchSize)
      return plan.chunks(ofShard: s).clamped(to: all).allSatisfy { store.contains(chunk: $0, config: config) }
    }
    return StepRecord.state(of: dir, key: plan.key(of: step)) == .complete
  }

  private func execute(_ step: ExperimentStep) throws {
    switch step {
    case let .train(name): try train(name)
    case let .maskSeed(name, k): try learnMask(name, onlySeed: k)
    case let .maskShard(name, k, s): try learnMaskShard(name, seed: k, shard: s)
    case let .mask(name): try learnMask(name, onlySeed: nil)
    case let .adversarialMap(name): try learnAdversarialMap(name)
    case let .imageMasks(name): try learnImageMasks(name)
    case let .probe(name): try probe(name)
    case .report: try report()
    }
  }

  /// The model `name`: loaded from its directory (trained by its step, or given) and moved to the device.
  private func model(_ name: String) throws -> TorchModel {
    if let model = loadedModels[name] { return model }
    let model: TorchModel
    switch plan.model(name).source {
    case let .load(path):
      model = try TorchModel.load(from: path)
      log("model \(name): loaded from \(path)")
    case .train:
      model = try TorchModel.load(from: plan.directory(of: .train(name), in: runDirectory))
    }
    try model.move(to: device)
    loadedModels[name] = model
    return model
  }

  /// Prepares `step`'s directory under its key; nil, after logging `what` as cached, when the
  /// step is complete.
  private func begin(_ step: ExperimentStep, _ what: String) throws -> (dir: String, key: StepKey, state: StepRecord.State)? {
    let dir = plan.directory(of: step, in: runDirectory), key = plan.key(of: step)
    let state = try StepRecord.prepare(dir, key: key)
    if state == .complete {
      log("\(what): cached (\(dir))")
      return nil
    }
    return (dir, key, state)
  }

  private func train(_ name: String) throws {
    guard case let .train(arch, configuration) = plan.model(name).source else { return }
    let m = plan.model(name).spec
    guard let (dir, key, state) = try begin(.train(name), "model \(name)") else { return }
    log("model \(name): training \(arch.rawValue) for \(configuration.epochs) epochs\(state == .resumable ? " (resuming)" : "")")
    executedSteps.append("train:\(name)")
    let train = try dataset(.train, limit: spec.data.trainLimit)
    let test = try dataset(.test, limit: spec.data.testLimit)
    let stats = try DatasetStatistics.channelMeanAndStd(train)
    let model = try TorchModel.create(architecture: arch, input: train.info.shape, mean: stats.mean, std: stats.std,
                                      classes: train.info.classes, seed: configuration.seed)
    try model.move(to: device)
    let trainer = try TorchTrainer(model: model, configuration: configuration,
                                   augmentations: try (m.augment ?? []).map { try registry.makeAugmentation($0) },
                                   attack: try m.adversarial.map { try registry.makeAttack($0) })
    trainer.record = TrainingRecord(data: spec.data.path, experiment: spec.name ?? "", modelName: name)
    let printer = TrainingProgressPrinter(quiet: quiet)
    trainer.observer = { printer.handle($0) }
    trainer.shouldStop = { Interruption.requested }
    try trainer.run(train: train, test: test, output: dir, resume: state == .resumable)
    try StepRecord.finish(dir, key: key)
  }

  /// Learns the mask of `name` (every seed, then their aggregate), or only seed `onlySeed`.
  private func learnMask(_ name: String, onlySeed: Int?) throws {
    let dir = plan.directory(of: .mask(name), in: runDirectory)
    let key = plan.key(of: .mask(name))
    let state = try StepRecord.prepare(dir, key: key)
    let what = onlySeed.map { "mask \(name) seed \($0)" } ?? "mask \(name)"
    if state == .complete || (onlySeed != nil && isComplete(.maskSeed(name, onlySeed!))) {
      log("\(what): cached (\(dir))")
      return
    }
    log("\(what): learning\(state == .resumable ? " (resuming)" : "")")
    executedSteps.append(onlySeed.map { "mask-seed:\(name)/\($0)" } ?? "mask:\(name)")
    var job = try maskJob(name)
    job.resume = state == .resumable
    if let k = onlySeed {
      job.resume = true  // the seeds of one mask share its directory: never clear it here
      let summary = try job.runSeed(k, of: dir)
      log(String(format: "%@: clean %.3f masked %.3f sparsity %.3f", what, summary.cleanAccuracy, summary.maskedAccuracy,
                 summary.sparsity))
      return
    }
    if job.retention != nil {
      for summary in try job.runRetention(to: dir) {
        log(String(format: "mask %@ at retention %g: λ %g, clean %.3f masked %.3f sparsity %.3f%@", name,
                   Double(summary.retentionTarget ?? 0), Double(summary.lambda), summary.cleanAccuracy,
                   summary.maskedAccuracy, summary.sparsity, summary.targetMet == false ? " (TARGET NOT MET)" : ""))
      }
    } else {
      let summary = try job.run(to: dir)
      log(String(format: "mask %@: clean %.3f masked %.3f complementary %.3f sparsity %.3f", name,
                 summary.cleanAccuracy, summary.maskedAccuracy, summary.complementaryAccuracy, summary.sparsity))
    }
    try StepRecord.finish(dir, key: key)
    // The mask directory now holds what the chunks gave: they are no part of its layout.
    try job.imageChunks?.remove()
  }

  /// Learns the image chunks of shard `shard` of seed `k` of the image-scope mask of `name`
  /// into the mask's chunk store, for its `mask` step to assemble (a Slurm array task).
  private func learnMaskShard(_ name: String, seed k: Int, shard: Int) throws {
    let dir = plan.directory(of: .mask(name), in: runDirectory)
    let what = "mask \(name) seed \(k) shard \(shard) (image chunks \(plan.chunks(ofShard: shard).lowerBound)–\(plan.chunks(ofShard: shard).upperBound - 1))"
    if try StepRecord.prepare(dir, key: plan.key(of: .mask(name))) == .complete || isComplete(.maskShard(name, seed: k, shard: shard)) {
      log("\(what): cached (\(dir))")
      return
    }
    log("\(what): learning")
    executedSteps.append("mask-shard:\(name)/\(k)/\(shard)")
    let job = try maskJob(name)
    let chunks = plan.chunks(ofShard: shard)
      .clamped(to: 0..<MaskLearner.imageChunkCount(images: job.dataset.info.count, batchSize: job.config.batchSize))
    let learned = try job.learnImageChunks(ofSeed: k, chunks: chunks)
    log("\(what): \(learned) chunks learned, \(chunks.count - learned) already kept, in \(job.imageChunks!.directory)")
  }

  /// The mask-learning job of model `name` as the experiment configures it; image-scope
  /// masks keep their chunks in the mask directory's chunk store.
  private func maskJob(_ name: String) throws -> MaskLearningJob {
    let masks = plan.masks
    let (learning, validation) = try maskImages()
    var job = try maskLearningJob(name, on: learning, named: spec.data.path, config: masks.config)
    job.validation = validation
    job.seeds = masks.seeds
    job.retention = masks.retention
    if masks.config.scope == .image { job.imageChunks = imageChunkStore(name) }
    return job
  }

  /// A mask-learning job for model `name` on `data` with the masks' parameterization and
  /// `config` (the masks', an adversarial map's or the image masks'), stopped by Ctrl-C.
  private func maskLearningJob(_ name: String, on data: Dataset, named dataName: String,
                               config: MaskLearningConfig) throws -> MaskLearningJob {
    let model = try model(name)
    let input = model.description.input
    let param = plan.masks.param
    var job = MaskLearningJob(
      model: model, modelName: "models/\(name)", dataset: data, dataName: dataName, paramSpec: param,
      makeParameterization: { [registry] in
        try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
      }, config: config)
    job.showsProgress = !quiet
    job.shouldStop = { Interruption.requested }
    return job
  }

  /// Where the image-scope mask of `name` keeps its learned chunks until its directory is written.
  func imageChunkStore(_ name: String) -> ImageChunkStore {
    ImageChunkStore(maskDirectory: plan.directory(of: .mask(name), in: runDirectory))
  }

  /// The adversarial map of `name`, as `flens learn-mask --adversarial` with the masks' settings.
  private func learnAdversarialMap(_ name: String) throws {
    guard let maps = plan.adversarialMaps,
          let (dir, key, state) = try begin(.adversarialMap(name), "adversarial map \(name)") else { return }
    log("adversarial map \(name): attacking with \(maps.spec.attack), then learning\(state == .resumable ? " (resuming)" : "")")
    executedSteps.append("adversarial-map:\(name)")
    let model = try model(name)
    let config = maps.config
    // The attack is seeded per batch, so a resumed step attacks the same images into the same examples.
    let examples = try AdversarialExamples.generate(
      from: try dataset(plan.masks.split, limit: maps.images), attack: try registry.makeAttack(maps.spec.attack),
      spec: maps.spec.attack, model: model, batchSize: config.batchSize, seed: config.seed)
    try examples.write(to: dir)
    var job = try maskLearningJob(name, on: examples.dataset, named: "\(spec.data.path) (adversarial: \(maps.spec.attack))",
                                  config: config)
    job.resume = state == .resumable
    let summary = try job.run(to: dir)
    log(String(format: "adversarial map %@: adversarial labels kept %.3f, masked %.3f, sparsity %.3f", name,
               summary.cleanAccuracy, summary.maskedAccuracy, summary.sparsity))
    try StepRecord.finish(dir, key: key)
  }

  /// One mask per test image for `name` (`image_masks:`), as `flens learn-mask --scope image`
  /// with the masks' parameterization; learned chunks are kept, so a stopped step resumes.
  private func learnImageMasks(_ name: String) throws {
    guard let images = plan.imageMasks,
          let (dir, key, _) = try begin(.imageMasks(name), "image masks \(name)") else { return }
    log("image masks \(name): one mask for each of the first \(images.images) test images")
    executedSteps.append("image-masks:\(name)")
    var job = try maskLearningJob(name, on: try dataset(.test, limit: images.images), named: spec.data.path,
                                  config: images.config)
    job.imageChunks = ImageChunkStore(maskDirectory: dir)
    let summary = try job.run(to: dir)
    log(String(format: "image masks %@: clean %.3f masked %.3f sparsity %.3f", name,
               summary.cleanAccuracy, summary.maskedAccuracy, summary.sparsity))
    try StepRecord.finish(dir, key: key)
    try job.imageChunks?.remove()
  }

  private func probe(_ name: String) throws {
    guard let p = plan.probes, let (dir, key, _) = try begin(.probe(name), "probes \(name)") else { return }
    log("probes \(name): \(p.run.joined(separator: ", "))")
    executedSteps.append("probe:\(name)")
    let model = try model(name)
    let data = try probeImages(p.images ?? 1000)
    let baseline = name == plan.baseline ? nil : plan.baseline
    // With retention targets, each R is probed on its own masks against the baseline's at the same R.
    // An `alignment` without `adversarial=` reads this model's own adversarial map.
    let mapDirectory = plan.directory(of: .adversarialMap(name), in: runDirectory)
    let texts = p.run.map { ProbeFactory.isOwnMapAlignment($0) ? ProbeFactory.alignment($0, withMapIn: mapDirectory) : $0 }
    // A probe that did not read the mask (heat map, passband, margins, ablation, NAD, ...)
    // gives the same output at every target: run once, written to each target's directory.
    var maskFree: [String: ProbeOutput] = [:]
    // `embedding` with `image_masks:` reads this model's image masks and their test images
    // (the same at every target): read at its first run.
    var imageMaskInputs: (data: Dataset, masks: LearnedMask)?
    for sub in retentionSubdirectories {
      let mask = try MaskRunDirectory.read(runDirectory + "/masks/" + name + sub)
      let baselineMask = try baseline.map { try MaskRunDirectory.read(runDirectory + "/masks/" + $0 + sub) }
      let trainers = FreshArchitectureTraining.factory(device: model.device)
      let host = ProbeHost(registry: registry, baseline: baselineMask, trainers: trainers, linearAnalysis: TorchLinearAnalysis())
      // The specs were checked when the plan was read.
      let probes = try ProbeFactory.makeAll(texts, host: host)
      var reused: [String] = []
      for planned in probes {
        let (probe, stem) = (planned.probe, planned.fileStem)
        if let output = maskFree[stem] {
          try ProbeFactory.write(output, name: stem, images: data.info.range, to: dir + sub)
          reused.append(stem)
          continue
        }
        let architectureKey = "\(stem) \(model.description.arch) \(data.info.shape)"
        if probe.readsOnlyTheArchitecture, let output = architectureOutputs[architectureKey] {
          try ProbeFactory.write(output, name: stem, images: data.info.range, to: dir + sub)
          log("probes \(name)\(sub): \(stem) as for the first \(model.description.arch) model (it reads only the architecture)")
          continue
        }
        // A fresh context per probe: it records whether this probe read the target's mask.
        let context = ProbeContext(model: model, dataset: data, mask: mask,
                                   batchSize: p.batch ?? 128, seed: seed, showsProgress: !quiet)
        var probed = context
        if planned.kind.needs.contains(.imageMasks), let images = plan.imageMasks {
          if imageMaskInputs == nil {
            imageMaskInputs = (try dataset(.test, limit: images.images),
                               try MaskRunDirectory.read(plan.directory(of: .imageMasks(name), in: runDirectory)))
          }
          probed = ProbeContext(model: model, dataset: imageMaskInputs!.data, mask: imageMaskInputs!.masks,
                                batchSize: context.batchSize, seed: seed, showsProgress: !quiet)
        }
        let output = try probe.run(probed)
        if !context.maskWasRead { maskFree[stem] = output }
        if probe.readsOnlyTheArchitecture { architectureOutputs[architectureKey] = output }
        try ProbeFactory.write(output, name: stem, images: probed.dataset.info.range, to: dir + sub)
      }
      if !reused.isEmpty { log("probes \(name)\(sub): \(reused.joined(separator: ", ")) as at the first target (they do not read its mask)") }
    }
    try StepRecord.finish(dir, key: key)
  }

  /// `/retention-<R>` for each retention target of the masks, or the mask directory itself.
  private var retentionSubdirectories: [String] {
    plan.masks.retention.map { $0.targets.map { "/" + RetentionPathConfig.directoryName($0) } } ?? [""]
  }

  private func report() throws {
    let dir = plan.directory(of: .report, in: runDirectory)
    let key = plan.reportKey
    if try StepRecord.prepare(dir, key: key) == .complete {
      log("report: cached (\(reportIndex))")
      return
    }
    executedSteps.append("report")
    let baseline = plan.baseline
    let bands = BandSettings(radial: spec.report?.radial ?? 16, angular: spec.report?.angular ?? 8)
    if let targets = plan.masks.retention?.targets {
      // One report per R (models compared at matched retention), and an index of them.
      var pages: [RetentionIndexPage.Target] = []
      for target in targets {
        let options = ReportOptions(baseline: baseline, bands: bands, retention: target)
        let entries = try ReportInputs.read([runDirectory], retention: target)
        let name = RetentionPathConfig.directoryName(target)
        _ = try ReportGenerator.generate(entries: entries, inputs: [runDirectory], options: options, to: dir + "/" + name)
        pages.append(.init(retention: target, entries: entries, reportDirectory: name))
      }
      try RetentionIndexPage.write(pages, inputs: [runDirectory], to: dir)
    } else {
      _ = try ReportGenerator.generate(runDirectories: [runDirectory], options: ReportOptions(baseline: baseline, bands: bands),
                                       to: dir)
    }
    try StepRecord.finish(dir, key: key)
    log("report: \(reportIndex)")
  }
}
