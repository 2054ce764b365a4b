import Foundation
import FourierLens
import FourierLensReport
import FourierLensTorch

/// Runs an experiment as a chain of cached steps in a run directory:
///
/// ```
/// RUN/models/<name>/   trained (or referenced) models
/// RUN/masks/<name>/    learned masks (`flens learn-mask` layout)
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
final class ExperimentRunner {
  let spec: ExperimentSpec
  let specFile: String
  let runDirectory: String
  let registry: PluginRegistry
  let quiet: Bool
  /// Steps that did work in this process (the rest were cached), for tests and the summary.
  private(set) var executedSteps: [String] = []

  init(spec: ExperimentSpec, specFile: String, runDirectory: String, registry: PluginRegistry, quiet: Bool) {
    self.spec = spec
    self.specFile = specFile
    self.runDirectory = runDirectory
    self.registry = registry
    self.quiet = quiet
  }

  private var seed: UInt64 { spec.seed ?? 0 }

  private func log(_ line: String) {
    if !quiet { FileHandle.standardError.write(Data("[\(spec.name ?? "experiment")] \(line)\n".utf8)) }
  }

  // MARK: - Data

  private lazy var dataKey = StepKey.canonical(spec.data)

  /// The split as the experiment's data spec describes it.
  func dataset(_ split: DatasetSplit, limit: Int?) throws -> Dataset {
    let d = spec.data
    if d.path == "generated" {
      let defaultCount = split == .train ? 4000 : 1000
      return SyntheticFrequencyDataset(count: limit ?? defaultCount, size: d.size ?? 32,
                                       seed: SeededGenerator.derive(seed, split == .train ? 101 : 202))
    }
    let preprocessing = Preprocessing(grayscale: d.grayscale ?? false, size: d.size.map { (height: $0, width: $0) })
    return try DatasetLoader.open(resolve(d.path), split: split, preprocessing: preprocessing, limit: limit)
  }

  /// Paths in the experiment file are relative to the file's directory.
  private func resolve(_ path: String) -> String {
    if path.hasPrefix("/") { return path }
    let base = (specFile as NSString).deletingLastPathComponent
    return base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
  }

  // MARK: - Step bookkeeping

  private struct StepRecord: Codable {
    var key: String
    var complete: Bool
  }

  private enum StepState { case complete, resumable, fresh }

  private func markerPath(_ dir: String) -> String { dir + "/.flens-step.json" }

  /// Reads the step's record and clears a directory that belongs to another configuration.
  private func prepare(_ dir: String, key: StepKey) throws -> StepState {
    let path = markerPath(dir)
    if let data = FileManager.default.contents(atPath: path), let record = try? JSONDecoder().decode(StepRecord.self, from: data),
       record.key == key.description {
      return record.complete ? .complete : .resumable
    }
    if FileManager.default.fileExists(atPath: dir) { try FileManager.default.removeItem(atPath: dir) }
    try AtomicFile.writeJSON(StepRecord(key: key.description, complete: false), to: path)
    return .fresh
  }

  private func finish(_ dir: String, key: StepKey) throws {
    try AtomicFile.writeJSON(StepRecord(key: key.description, complete: true), to: markerPath(dir))
  }

  // MARK: - Running

  /// Runs every step; returns the report's index.html.
  @discardableResult
  func run() throws -> String {
    try ComputeThreads.apply(spec.threads)
    let device = try spec.device.map { try ComputeDevice(parsing: $0, option: "device") } ?? .auto
    var modelKeys: [String: StepKey] = [:]
    var models: [String: TorchModel] = [:]
    for name in spec.models.keys.sorted() {
      (models[name], modelKeys[name]) = try trainOrLoad(name, spec.models[name]!, device: device)
      try models[name]!.move(to: device)
    }
    var maskKeys: [String: StepKey] = [:]
    for name in spec.models.keys.sorted() {
      maskKeys[name] = try learnMask(name, model: models[name]!, modelKey: modelKeys[name]!)
    }
    var probeKeys: [String: StepKey] = [:]
    let baseline = spec.report?.baseline ?? (spec.models["standard"] != nil ? "standard" : spec.models.keys.sorted()[0])
    for name in spec.models.keys.sorted() {
      probeKeys[name] = try probe(name, model: models[name]!, maskKey: maskKeys[name]!,
                                  baseline: name == baseline ? nil : (baseline, maskKeys[baseline]!))
    }
    return try report(baseline: baseline, keys: maskKeys.merging(probeKeys) { a, b in StepKey([a.description, b.description]) })
  }

  /// The model of step `name`, loaded, cached or trained (training runs on `device`).
  private func trainOrLoad(_ name: String, _ m: ExperimentSpec.ModelSpec, device: ComputeDevice) throws -> (TorchModel, StepKey) {
    if let path = m.path {
      let resolved = resolve(path)
      let model = try TorchModel.load(from: resolved)
      // The key follows the model's files, so replacing them re-runs what depends on them.
      let stamp = [ModelDirectory.descriptionPath(resolved), ModelDirectory.weightsPath(resolved), ModelDirectory.torchScriptPath(resolved)]
        .compactMap { try? FileManager.default.attributesOfItem(atPath: $0) }
        .map { "\($0[.size] ?? 0)@\(($0[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)" }
      log("model \(name): loaded from \(resolved)")
      return (model, StepKey(["load", resolved] + stamp))
    }
    let dir = runDirectory + "/models/" + name
    let key = StepKey(["train", StepKey.canonical(m), dataKey, "\(seed)"])
    let state = try prepare(dir, key: key)
    if state == .complete {
      log("model \(name): cached (\(dir))")
      return (try TorchModel.load(from: dir), key)
    }
    log("model \(name): training \(m.arch!) for \(m.epochs ?? 10) epochs\(state == .resumable ? " (resuming)" : "")")
    executedSteps.append("train:\(name)")
    let train = try dataset(.train, limit: spec.data.trainLimit)
    let test = try dataset(.test, limit: spec.data.testLimit)
    guard let arch = TorchArchitecture(rawValue: m.arch!) else {
      throw FourierLensError.badFile(path: specFile, reason: "model '\(name)': unknown arch '\(m.arch!)' (\(TorchArchitecture.names))")
    }
    let stats = try DatasetStatistics.channelMeanAndStd(train)
    let model = try TorchModel.create(architecture: arch, input: train.info.shape, mean: stats.mean, std: stats.std,
                                      classes: train.info.classes, seed: seed)
    try model.move(to: device)
    let optimizer = try m.optimizer.map { o -> OptimizerKind in
      guard let k = OptimizerKind(rawValue: o) else { throw FourierLensError.badFile(path: specFile, reason: "model '\(name)': unknown optimizer '\(o)'") }
      return k
    } ?? .sgd
    let configuration = TrainingConfiguration(epochs: m.epochs ?? 10, batchSize: m.batch ?? 128, learningRate: m.lr,
                                              optimizer: optimizer, seed: seed, augmentations: m.augment ?? [],
                                              attack: m.adversarial)
    let trainer = try TorchTrainer(model: model, configuration: configuration,
                                   augmentations: try (m.augment ?? []).map { try registry.makeAugmentation($0) },
                                   attack: try m.adversarial.map { try registry.makeAttack($0) })
    trainer.record = ["data": spec.data.path, "experiment": spec.name ?? "", "model_name": name]
    let printer = TrainingProgressPrinter(quiet: quiet)
    trainer.observer = { printer.handle($0) }
    trainer.shouldStop = { Interruption.requested }
    let summary = try trainer.run(train: train, test: test, output: dir, resume: state == .resumable)
    guard !summary.interrupted else {
      throw InterruptedError("training of '\(name)' interrupted after step \(summary.steps); checkpoint written to \(dir)/checkpoint: run the same command again to resume")
    }
    try finish(dir, key: key)
    return (try TorchModel.load(from: dir), key)
  }

  private func maskConfig() -> (MaskLearningConfig, ExperimentSpec.MaskSpec) {
    let s = spec.masks ?? ExperimentSpec.MaskSpec()
    var c = s.scope == .image ? MaskLearningConfig.singleImageDefaults() : MaskLearningConfig()
    c.scope = s.scope ?? .dataset
    c.objective = s.objective ?? .paper
    c.transform = s.transform ?? .dft
    c.layout = (s.perChannel ?? false) ? .perChannel : .shared
    if let v = s.lambda { c.lambda = v }
    if let v = s.lr { c.learningRate = v }
    if let v = s.epochs { c.epochs = v }
    if let v = s.batch { c.batchSize = v }
    c.seed = seed
    return (c, s)
  }

  private func learnMask(_ name: String, model: TorchModel, modelKey: StepKey) throws -> StepKey {
    let (config, s) = maskConfig()
    let dir = runDirectory + "/masks/" + name
    let key = StepKey(["mask", modelKey.description, StepKey.canonical(s), dataKey, "\(seed)"])
    let state = try prepare(dir, key: key)
    if state == .complete {
      log("mask \(name): cached (\(dir))")
      return key
    }
    log("mask \(name): learning\(state == .resumable ? " (resuming)" : "")")
    executedSteps.append("mask:\(name)")
    let data = try dataset(s.split == "train" ? .train : .test, limit: s.images ?? 2000)
    let input = model.description.input
    let param = s.param ?? "free"
    var job = MaskLearningJob(
      model: model, modelName: "models/\(name)", dataset: data, dataName: spec.data.path, paramSpec: param,
      makeParameterization: { [registry] in
        try registry.makeMask(param, channels: input[0], height: input[1], width: input[2],
                              layout: config.layout, transform: config.transform)
      }, config: config)
    job.seeds = s.seeds ?? 1
    job.resume = state == .resumable
    job.showsProgress = !quiet
    job.shouldStop = { Interruption.requested }
    job.retention = s.retentionPath
    do {
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
    } catch is InterruptedError {
      throw InterruptedError("mask learning of '\(name)' interrupted; checkpoint written in \(dir): run the same command again to resume")
    }
    try finish(dir, key: key)
    return key
  }

  private func probe(_ name: String, model: TorchModel, maskKey: StepKey, baseline: (String, StepKey)?) throws -> StepKey {
    guard let p = spec.probes, !p.run.isEmpty else { return maskKey }
    let dir = runDirectory + "/probes/" + name
    let key = StepKey(["probe", maskKey.description, StepKey.canonical(p), baseline?.1.description ?? "", "\(seed)"])
    if try prepare(dir, key: key) == .complete {
      log("probes \(name): cached (\(dir))")
      return key
    }
    log("probes \(name): \(p.run.joined(separator: ", "))")
    executedSteps.append("probe:\(name)")
    let data = try dataset(.test, limit: p.images ?? 1000)
    // With retention targets, each R is probed on its own masks against the baseline's at the same R.
    for sub in retentionSubdirectories {
      let mask = try MaskRunDirectory.read(runDirectory + "/masks/" + name + sub)
      let baselineMask = try baseline.map { try MaskRunDirectory.read(runDirectory + "/masks/" + $0.0 + sub) }
      let probes = try ProbeFactory.makeAll(p.run, registry: registry, baseline: baselineMask)
      let context = ProbeContext(model: model, dataset: data, mask: mask,
                                 batchSize: p.batch ?? 128, seed: seed, showsProgress: !quiet)
      for probe in probes {
        try ProbeFactory.write(try probe.run(context), name: probe.name, to: dir + sub)
      }
    }
    try finish(dir, key: key)
    return key
  }

  /// `/retention-<R>` for each retention target of the masks, or the mask directory itself.
  private var retentionSubdirectories: [String] {
    spec.masks?.retention.map { $0.map { "/" + RetentionPathConfig.directoryName($0) } } ?? [""]
  }

  private func report(baseline: String, keys: [String: StepKey]) throws -> String {
    let dir = runDirectory + "/report"
    let key = StepKey(["report", StepKey.canonical(spec.report ?? .init())] + keys.keys.sorted().map { "\($0)=\(keys[$0]!)" })
    let index = dir + "/index.html"
    if try prepare(dir, key: key) == .complete {
      log("report: cached (\(index))")
      return index
    }
    executedSteps.append("report")
    let bands = BandSettings(radial: spec.report?.radial ?? 16, angular: spec.report?.angular ?? 8)
    if let targets = spec.masks?.retention {
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
    try finish(dir, key: key)
    log("report: \(index)")
    return index
  }
}
