import Foundation
import FourierLens
import FourierLensExperimentSpec
import FourierLensTorch

/// An experiment file resolved before any work: every model's architecture, optimizer and
/// plugins, the mask configuration and parameterization, and every probe are parsed and
/// checked against the plugin registry, defaults are filled in, and each step's cache key is
/// computed. A misspelled probe or a bad `masks.lambda` therefore fails at once, naming the
/// file and the key, not after every model has trained.
public struct ExperimentPlan {
  public let spec: ExperimentSpec
  /// The experiment file (paths in it are relative to its directory); empty for a built-in one.
  public let specFile: String
  public let seed: UInt64
  /// Model names in the order their steps run.
  public let modelNames: [String]
  public let models: [String: Model]
  public let masks: Masks
  /// Nil when the experiment runs no probes (then there are no probe steps).
  public let probes: ExperimentSpec.ProbeSpec?
  /// The model the others are compared with in probes and the report.
  public let baseline: String
  public let reportKey: StepKey

  /// A model to train (with its configuration) or load (from a directory).
  public struct Model {
    public enum Source {
      case train(TorchArchitecture, TrainingConfiguration)
      case load(path: String)
    }
    public let source: Source
    public let spec: ExperimentSpec.ModelSpec
    /// The key of the model: of its training step, or of the loaded files.
    public let key: StepKey
    public let maskKey: StepKey
    /// The probes' key; the mask's key when the experiment runs no probes.
    public let probeKey: StepKey
  }

  public struct Masks {
    public let spec: ExperimentSpec.MaskSpec
    public let config: MaskLearningConfig
    public let param: String
    public let seeds: Int
    public let images: Int
    public let split: DatasetSplit
    public let retention: RetentionPathConfig?
  }

  /// Resolves and checks `spec` (already syntactically valid, see `ExperimentSpec.parse`).
  public init(spec: ExperimentSpec, specFile: String, registry: PluginRegistry) throws {
    func bad(_ why: String) -> FourierLensError { .badFile(path: specFile.isEmpty ? "experiment" : specFile, reason: why) }
    /// A core check's error in the experiment file's terms: a setting by its key in the
    /// section `prefix` names (`masks.lambda:`), any other option (a plugin spec's) as is.
    func checked(_ prefix: String, _ body: () throws -> Void) throws {
      do { try body() } catch let FourierLensError.badSetting(key, reason) {
        throw bad("\(prefix)\(key.fileKey): \(reason)")
      } catch let FourierLensError.badOption(name, reason) {
        throw bad("\(prefix)(\(name)) \(reason)")
      } catch let error as FourierLensError {
        throw bad("\(prefix)\(error)")
      }
    }
    self.spec = spec
    self.specFile = specFile
    seed = spec.seed ?? 0
    modelNames = spec.models.keys.sorted()
    let dataKey = StepKey.canonical(spec.data)

    // Masks.
    let m = spec.masks ?? ExperimentSpec.MaskSpec()
    var settings = MaskSettings()
    settings.scope = m.scope ?? .dataset
    settings.objective = m.objective ?? .paper
    settings.transform = m.transform ?? .dft
    settings.perChannel = m.perChannel ?? false
    (settings.lambda, settings.learningRate, settings.epochs, settings.batchSize) = (m.lambda, m.lr, m.epochs, m.batch)
    (settings.accuracyTarget, settings.patience, settings.seed) = (m.accuracyTarget, m.patience, seed)
    let config = settings.config
    try checked("masks.") { try config.validate() }
    let param = m.param ?? "free"
    try checked("masks.param ") {
      let parsed = try PluginSpec.parse(param, option: "masks.param")
      _ = try registry.plugin(named: parsed.name, kind: .mask)
    }
    if let images = m.images, images < 1 { throw bad("masks.images must be ≥ 1, got \(images)") }
    masks = Masks(spec: m, config: config, param: param, seeds: m.seeds ?? 1, images: m.images ?? 2000,
                  split: m.split == "train" ? .train : .test, retention: m.retentionPath)

    // Models.
    var models: [String: (Model.Source, StepKey)] = [:]
    for name in modelNames {
      let s = spec.models[name]!
      if let path = s.path {
        let resolved = Self.resolve(path, relativeTo: specFile)
        guard FileManager.default.fileExists(atPath: ModelDirectory.descriptionPath(resolved)) else {
          throw bad("model '\(name)': \(resolved) is not a model directory (no \((ModelDirectory.descriptionPath(resolved) as NSString).lastPathComponent))")
        }
        // The key follows the model's files, so replacing them re-runs what depends on them.
        let stamp = [ModelDirectory.descriptionPath(resolved), ModelDirectory.weightsPath(resolved), ModelDirectory.torchScriptPath(resolved)]
          .compactMap { try? FileManager.default.attributesOfItem(atPath: $0) }
          .map { "\($0[.size] ?? 0)@\(($0[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)" }
        models[name] = (.load(path: resolved), StepKey(["load", resolved] + stamp))
        continue
      }
      guard let arch = TorchArchitecture(rawValue: s.arch!) else {
        throw bad("model '\(name)': unknown arch '\(s.arch!)' (\(TorchArchitecture.names))")
      }
      let optimizer = try s.optimizer.map { o -> OptimizerKind in
        guard let k = OptimizerKind(rawValue: o) else { throw bad("model '\(name)': unknown optimizer '\(o)'") }
        return k
      } ?? .sgd
      let training = TrainingConfiguration(epochs: s.epochs ?? 10, batchSize: s.batch ?? 128, learningRate: s.lr,
                                           optimizer: optimizer, seed: seed, augmentations: s.augment ?? [],
                                           attack: s.adversarial)
      try checked("models.\(name).") {
        try training.validate()
        for a in s.augment ?? [] { _ = try registry.makeAugmentation(a) }
        if let a = s.adversarial { _ = try registry.makeAttack(a) }
      }
      models[name] = (.train(arch, training), StepKey(["train", StepKey.canonical(s), dataKey, "\(seed)"]))
    }

    // Probes: each spec made once (without a baseline mask, which exists only later).
    let probes = spec.probes.flatMap { $0.run.isEmpty ? nil : $0 }
    if let p = probes {
      try checked("probes.run ") {
        _ = try ProbeFactory.makeAll(p.run, registry: registry, trainers: FreshArchitectureTraining.factory(device: .cpu))
      }
      if let images = p.images, images < 1 { throw bad("probes.images must be ≥ 1, got \(images)") }
      if let batch = p.batch, batch < 1 { throw bad("probes.batch must be ≥ 1, got \(batch)") }
    }
    self.probes = probes
    baseline = spec.report?.baseline ?? (spec.models["standard"] != nil ? "standard" : modelNames[0])

    // Keys: a step's key hashes its configuration and the keys of the steps it reads.
    var maskKey: [String: StepKey] = [:]
    for name in modelNames {
      maskKey[name] = StepKey(["mask", models[name]!.1.description, StepKey.canonical(m), dataKey, "\(seed)"])
    }
    var planned: [String: Model] = [:]
    let (baseline, seed) = (baseline, seed)
    for name in modelNames {
      let probeKey = probes.map { p in
        StepKey(["probe", maskKey[name]!.description, StepKey.canonical(p),
                 name == baseline ? "" : maskKey[baseline]!.description, "\(seed)"])
      } ?? maskKey[name]!
      planned[name] = Model(source: models[name]!.0, spec: spec.models[name]!, key: models[name]!.1,
                            maskKey: maskKey[name]!, probeKey: probeKey)
    }
    self.models = planned
    reportKey = StepKey(["report", StepKey.canonical(spec.report ?? .init())]
                        + modelNames.map { "\($0)=\(StepKey([maskKey[$0]!.description, planned[$0]!.probeKey.description]))" })
  }

  /// Paths in the experiment file are relative to the file's directory.
  static func resolve(_ path: String, relativeTo specFile: String) -> String {
    if path.hasPrefix("/") { return path }
    let base = (specFile as NSString).deletingLastPathComponent
    return base.isEmpty ? path : (base as NSString).appendingPathComponent(path)
  }

  public func resolve(_ path: String) -> String { Self.resolve(path, relativeTo: specFile) }

  // MARK: - Steps

  /// Every step with work to do, in the order a single machine runs them. Loaded models have
  /// no step; a mask of several seeds (without retention targets) is one `mask-seed` step per
  /// seed followed by `mask` (the merge), so a cluster can run the seeds side by side.
  public var steps: [ExperimentStep] {
    var out: [ExperimentStep] = []
    for name in modelNames { if case .train = models[name]!.source { out.append(.train(name)) } }
    for name in modelNames {
      if splitsSeeds { out += (0..<masks.seeds).map { .maskSeed(name, $0) } }
      out.append(.mask(name))
    }
    if probes != nil { out += modelNames.map { .probe($0) } }
    out.append(.report)
    return out
  }

  /// Whether the seeds of a mask are separate steps (a retention path learns each seed's λ
  /// path in one run, so those stay one step).
  public var splitsSeeds: Bool { masks.seeds > 1 && masks.retention == nil }

  /// The steps `step` reads the outputs of.
  public func dependencies(of step: ExperimentStep) -> [ExperimentStep] {
    func trained(_ name: String) -> [ExperimentStep] {
      if case .train = models[name]!.source { return [.train(name)] }
      return []
    }
    switch step {
    case .train: return []
    case let .maskSeed(name, _): return trained(name)
    case let .mask(name): return trained(name) + (splitsSeeds ? (0..<masks.seeds).map { .maskSeed(name, $0) } : [])
    case let .probe(name): return trained(name) + [.mask(name)] + (name == baseline ? [] : [.mask(baseline)])
    case .report: return probes != nil ? modelNames.map { .probe($0) } : modelNames.map { .mask($0) }
    }
  }

  /// The directory a step writes, under `run`; a seed step writes inside its mask's directory.
  public func directory(of step: ExperimentStep, in run: String) -> String {
    switch step {
    case let .train(name): return run + "/models/" + name
    case let .mask(name), let .maskSeed(name, _): return run + "/masks/" + name
    case let .probe(name): return run + "/probes/" + name
    case .report: return run + "/report"
    }
  }

  /// The cache key recorded in the step's directory (a seed step shares its mask's).
  public func key(of step: ExperimentStep) -> StepKey {
    switch step {
    case let .train(name): return models[name]!.key
    case let .mask(name), let .maskSeed(name, _): return models[name]!.maskKey
    case let .probe(name): return models[name]!.probeKey
    case .report: return reportKey
    }
  }

  /// Whether `step` is part of this experiment.
  public func contains(_ step: ExperimentStep) -> Bool { steps.contains(step) }
}
