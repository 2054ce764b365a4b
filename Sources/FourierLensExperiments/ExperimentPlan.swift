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
  /// Model names in the order their steps run: one per network, NAME@k for the networks
  /// of a model with `seeds: K` (K > 1), else the model's name.
  public let modelNames: [String]
  public let models: [String: Model]
  public let masks: Masks
  /// Nil when the experiment learns no adversarial maps (`adversarial_maps:`).
  public let adversarialMaps: AdversarialMaps?
  /// Nil when the experiment learns no per-image masks besides `masks:` (`image_masks:`).
  public let imageMasks: ImageMasks?
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
    /// The key of the model's adversarial map; nil without `adversarial_maps:`.
    public let adversarialMapKey: StepKey?
    /// The key of the model's image masks; nil without `image_masks:`.
    public let imageMaskKey: StepKey?
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
    /// Held-out images after the learning images (0: none; image masks have none).
    public let validation: Int
  }

  /// `adversarial_maps:` resolved: the attack, and the mask configuration (that of `masks:`
  /// with the map's scope, λ, learning rate, epochs and batch).
  public struct AdversarialMaps {
    public let spec: ExperimentSpec.AdversarialMapSpec
    public let config: MaskLearningConfig
    public let images: Int
  }

  /// `image_masks:` resolved: the mask configuration (that of `masks:` with image scope and
  /// the section's λ, learning rate, epochs and batch) and how many test images get a mask.
  public struct ImageMasks {
    public let spec: ExperimentSpec.ImageMaskSpec
    public let config: MaskLearningConfig
    public let images: Int
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
    // Networks: a model with `seeds: K` is K networks NAME@k, each a model of its own below.
    var networkOf: [String: (model: String, index: Int)] = [:]
    for name in spec.models.keys.sorted() {
      for (k, network) in spec.models[name]!.networkNames(name).enumerated() { networkOf[network] = (name, k) }
    }
    modelNames = spec.models.keys.sorted().flatMap { spec.models[$0]!.networkNames($0) }
    let dataKey = StepKey.canonical(spec.data)

    // Masks.
    let m = spec.masks ?? ExperimentSpec.MaskSpec()
    var settings = MaskSettings()
    settings.scope = m.scope ?? .dataset
    settings.objective = m.objective ?? .paper
    settings.transform = m.transform ?? .dft
    settings.perChannel = m.perChannel ?? false
    (settings.lambda, settings.learningRate, settings.epochs, settings.batchSize) = (m.lambda, m.lr, m.epochs, m.batch)
    (settings.accuracyTarget, settings.patience, settings.tolerance, settings.seed) = (m.accuracyTarget, m.patience, m.tolerance, seed)
    let config = settings.config
    try checked("masks.") { try config.validate() }
    let param = m.param ?? "free"
    try checked("masks.param ") {
      let parsed = try PluginSpec.parse(param, option: "masks.param")
      _ = try registry.plugin(named: parsed.name, kind: .mask)
    }
    if let images = m.images, images < 1 { throw bad("masks.images must be ≥ 1, got \(images)") }
    if let validation = m.validation, validation < 0 { throw bad("masks.validation must be ≥ 0, got \(validation)") }
    if m.validation.map({ $0 > 0 }) == true, config.scope == .image {
      throw bad("masks.validation: image masks are each learned on their own image and have no held-out images")
    }
    masks = Masks(spec: m, config: config, param: param, seeds: m.seeds ?? 1, images: m.images ?? 2000,
                  split: m.split == "train" ? .train : .test, retention: m.retentionPath,
                  validation: config.scope == .image ? 0 : m.validation ?? 1000)

    // Adversarial maps: the masks' settings, with the map's own scope and optimisation.
    adversarialMaps = try spec.adversarialMaps.map { a in
      var mapSettings = settings
      mapSettings.scope = a.scope ?? .dataset
      (mapSettings.lambda, mapSettings.learningRate, mapSettings.epochs, mapSettings.batchSize) = (a.lambda, a.lr, a.epochs, a.batch)
      let mapConfig = mapSettings.config
      try checked("adversarial_maps.") { try mapConfig.validate() }
      try checked("adversarial_maps.attack ") { _ = try registry.makeAttack(a.attack) }
      return AdversarialMaps(spec: a, config: mapConfig, images: a.images ?? m.images ?? 2000)
    }

    // Image masks: the masks' settings, in image scope with the section's own optimisation.
    imageMasks = try spec.imageMasks.map { i in
      var imageSettings = settings
      imageSettings.scope = .image
      (imageSettings.accuracyTarget, imageSettings.patience, imageSettings.tolerance) = (nil, nil, nil)
      (imageSettings.lambda, imageSettings.learningRate, imageSettings.epochs, imageSettings.batchSize) = (i.lambda, i.lr, i.epochs, i.batch)
      let imageConfig = imageSettings.config
      try checked("image_masks.") { try imageConfig.validate() }
      return ImageMasks(spec: i, config: imageConfig, images: i.images ?? 500)
    }

    // Models.
    var models: [String: (Model.Source, StepKey)] = [:]
    for name in modelNames {
      let (specName, network) = networkOf[name]!
      let s = spec.models[specName]!
      if let path = s.path {
        let resolved = Self.resolve(path, relativeTo: specFile)
        guard FileManager.default.fileExists(atPath: ModelDirectory.descriptionPath(resolved)) else {
          throw bad("model '\(specName)': \(resolved) is not a model directory (no \((ModelDirectory.descriptionPath(resolved) as NSString).lastPathComponent))")
        }
        // The key follows the model's files, so replacing them re-runs what depends on them.
        let stamp = [ModelDirectory.descriptionPath(resolved), ModelDirectory.weightsPath(resolved), ModelDirectory.torchScriptPath(resolved)]
          .compactMap { try? FileManager.default.attributesOfItem(atPath: $0) }
          .map { "\($0[.size] ?? 0)@\(($0[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)" }
        models[name] = (.load(path: resolved), StepKey(["load", resolved] + stamp))
        continue
      }
      guard let arch = TorchArchitecture(rawValue: s.arch!) else {
        throw bad("model '\(specName)': \(TorchArchitecture.unknownReason(s.arch!))")
      }
      let optimizer = try s.optimizer.map { o -> OptimizerKind in
        guard let k = OptimizerKind(rawValue: o) else { throw bad("model '\(specName)': unknown optimizer '\(o)'") }
        return k
      } ?? .sgd
      // Network k: the experiment's seed + k, nothing else differs.
      let training = TrainingConfiguration(epochs: s.epochs ?? 10, batchSize: s.batch ?? 128, learningRate: s.lr,
                                           optimizer: optimizer, seed: seed + UInt64(network), augmentations: s.augment ?? [],
                                           attack: s.adversarial)
      try checked("models.\(specName).") {
        try training.validate()
        for a in s.augment ?? [] { _ = try registry.makeAugmentation(a) }
        if let a = s.adversarial { _ = try registry.makeAttack(a) }
      }
      // The key of network 0 is that of the model trained alone (`seeds` absent or 1): the same network.
      var single = s
      single.seeds = nil
      models[name] = (.train(arch, training),
                      StepKey(["train", StepKey.canonical(single), dataKey, "\(seed)"] + (network > 0 ? ["network \(network)"] : [])))
    }

    // Probes: each spec made once (without a baseline mask, which exists only later).
    // An `alignment` without `adversarial=` reads each model's own map, which exists only later.
    let probes = spec.probes.flatMap { $0.run.isEmpty ? nil : $0 }
    if let p = probes {
      try checked("probes.run ") {
        let ownMap = p.run.filter(ProbeFactory.isOwnMapAlignment)
        if let text = ownMap.first, spec.adversarialMaps == nil {
          throw FourierLensError.badOption(name: text, reason: "needs `adversarial_maps:` (each model's own map) or adversarial=DIR")
        }
        for text in ownMap { try ProbeFactory.checkOwnMapAlignment(text) }
        _ = try ProbeFactory.makeAll(p.run.filter { !ProbeFactory.isOwnMapAlignment($0) },
                                     host: ProbeHost(registry: registry, trainers: FreshArchitectureTraining.factory(device: .cpu),
                                                     linearAnalysis: TorchLinearAnalysis()))
      }
      // A probe that reads image masks pairs mask i with test image i: it reads `image_masks:`
      // when the experiment has them, else the masks, which must then be image masks of the test split.
      if imageMasks == nil,
         let kind = p.run.lazy.compactMap({ try? ProbeFactory.parse($0).kind }).first(where: { $0.needs.contains(.imageMasks) }) {
        guard config.scope == .image else {
          throw bad("probes.run: \(kind.name) needs image masks: add `image_masks:` or set masks.scope: image")
        }
        guard masks.split == .test else {
          throw bad("probes.run: \(kind.name) needs masks.split: test, the split the probes read (mask i belongs to image i)")
        }
      }
      if let images = p.images, images < 1 { throw bad("probes.images must be ≥ 1, got \(images)") }
      if let batch = p.batch, batch < 1 { throw bad("probes.batch must be ≥ 1, got \(batch)") }
    }
    self.probes = probes
    // The baseline network: the named model's (its network 0 when it has several).
    let baselineModel = spec.report?.baseline ?? (spec.models["standard"] != nil ? "standard" : spec.models.keys.sorted()[0])
    baseline = spec.models[baselineModel]!.networkNames(baselineModel)[0]

    // Keys: a step's key hashes its configuration and the keys of the steps it reads.
    // Every mask-like step of a model hashes the model, the masks' section (the settings it
    // shares), its own section, the data and the seed.
    let (baseline, seed, modelNames, modelKeys) = (baseline, seed, modelNames, models.mapValues(\.1))
    func keys(_ kind: String, _ section: [String]) -> [String: StepKey] {
      Dictionary(uniqueKeysWithValues: modelNames.map { name in
        (name, StepKey([kind, modelKeys[name]!.description, StepKey.canonical(m)] + section + [dataKey, "\(seed)"]))
      })
    }
    let maskKey = keys("mask", [])
    let mapKey = spec.adversarialMaps.map { keys("adversarial-map", [StepKey.canonical($0)]) }
    let imageKey = spec.imageMasks.map { keys("image-masks", [StepKey.canonical($0)]) }
    var planned: [String: Model] = [:]
    for name in modelNames {
      let probeKey = probes.map { p in
        StepKey(["probe", maskKey[name]!.description, StepKey.canonical(p),
                 name == baseline ? "" : maskKey[baseline]!.description, "\(seed)"]
                + (mapKey.map { [$0[name]!.description] } ?? []) + (imageKey.map { [$0[name]!.description] } ?? []))
      } ?? maskKey[name]!
      planned[name] = Model(source: models[name]!.0, spec: spec.models[networkOf[name]!.model]!, key: models[name]!.1,
                            maskKey: maskKey[name]!, adversarialMapKey: mapKey?[name], imageMaskKey: imageKey?[name],
                            probeKey: probeKey)
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
  /// seed followed by `mask` (the merge), so a cluster can run the seeds side by side; an
  /// image-scope mask of more images than one shard is one `mask-shard` step per seed and
  /// shard followed by `mask`; with `adversarial_maps:` and `image_masks:` each model's
  /// `adversarial-map` and `image-masks` steps follow the masks.
  public var steps: [ExperimentStep] {
    var out: [ExperimentStep] = []
    for name in modelNames { if case .train = model(name).source { out.append(.train(name)) } }
    for name in modelNames {
      out += partSteps(of: name)
      out.append(.mask(name))
    }
    if adversarialMaps != nil { out += modelNames.map { .adversarialMap($0) } }
    if imageMasks != nil { out += modelNames.map { .imageMasks($0) } }
    if probes != nil { out += modelNames.map { .probe($0) } }
    out.append(.report)
    return out
  }

  /// Whether the seeds of a mask are separate steps (a retention path learns each seed's λ
  /// path in one run, so those stay one step).
  public var splitsSeeds: Bool { masks.seeds > 1 && masks.retention == nil && !shardsImages }

  // MARK: - Shards of image-scope masks

  /// Image chunks per shard: `slurm.shard_images` rounded up to whole chunks of `masks.batch`
  /// images, since a run optimises a chunk's images together and a shard must hold the same
  /// chunks as a single run for its masks to have the same bytes.
  public var chunksPerShard: Int {
    let images = spec.slurm?.shardImages ?? SlurmSpec.defaultShardImages
    return (images + masks.config.batchSize - 1) / masks.config.batchSize
  }

  /// Shards per seed of an image-scope mask, counted for `masks.images` images (data with
  /// fewer images leaves the last shards nothing to do); 1 for other scopes.
  public var imageShards: Int {
    guard masks.config.scope == .image else { return 1 }
    let chunks = MaskLearner.imageChunkCount(images: masks.images, batchSize: masks.config.batchSize)
    return (chunks + chunksPerShard - 1) / chunksPerShard
  }

  /// Whether the images of an image-scope mask are learned in shards (`mask-shard` steps).
  public var shardsImages: Bool { imageShards > 1 }

  /// The image chunks (of `masks.batch` images, see `MaskLearner.learnImageChunk`) of shard `s`.
  public func chunks(ofShard s: Int) -> Range<Int> { s * chunksPerShard ..< (s + 1) * chunksPerShard }

  /// The steps that learn parts of the mask of `name` for its `mask` step to merge: its
  /// shards, or its seeds, or none.
  func partSteps(of name: String) -> [ExperimentStep] {
    if shardsImages {
      return (0..<masks.seeds).flatMap { k in (0..<imageShards).map { ExperimentStep.maskShard(name, seed: k, shard: $0) } }
    }
    return splitsSeeds ? (0..<masks.seeds).map { .maskSeed(name, $0) } : []
  }

  /// The steps `step` reads the outputs of.
  public func dependencies(of step: ExperimentStep) -> [ExperimentStep] {
    func trained(_ name: String) -> [ExperimentStep] {
      if case .train = model(name).source { return [.train(name)] }
      return []
    }
    switch step {
    case .train: return []
    case let .maskSeed(name, _), let .maskShard(name, _, _): return trained(name)
    case let .mask(name): return trained(name) + partSteps(of: name)
    case let .adversarialMap(name), let .imageMasks(name): return trained(name)
    case let .probe(name):
      return trained(name) + [.mask(name)] + (name == baseline ? [] : [.mask(baseline)])
        + (adversarialMaps != nil ? [.adversarialMap(name)] : []) + (imageMasks != nil ? [.imageMasks(name)] : [])
    case .report: return probes != nil ? modelNames.map { .probe($0) } : modelNames.map { .mask($0) }
    }
  }

  /// The directory a step writes, under `run`; a seed or shard step writes inside its mask's directory.
  public func directory(of step: ExperimentStep, in run: String) -> String {
    switch step {
    case let .train(name): return run + "/models/" + name
    case let .mask(name), let .maskSeed(name, _), let .maskShard(name, _, _): return run + "/masks/" + name
    case let .adversarialMap(name): return run + "/adversarial-maps/" + name
    case let .imageMasks(name): return run + "/image-masks/" + name
    case let .probe(name): return run + "/probes/" + name
    case .report: return run + "/report"
    }
  }

  /// The cache key recorded in the step's directory (a seed or shard step shares its mask's).
  public func key(of step: ExperimentStep) -> StepKey {
    switch step {
    case let .train(name): return model(name).key
    case let .mask(name), let .maskSeed(name, _), let .maskShard(name, _, _): return model(name).maskKey
    case let .adversarialMap(name): return model(name).adversarialMapKey!
    case let .imageMasks(name): return model(name).imageMaskKey!
    case let .probe(name): return model(name).probeKey
    case .report: return reportKey
    }
  }

  /// The model `name` of a step of this plan. Steps are made by `steps` and `partSteps(of:)`,
  /// or parsed from `--step` and checked with `contains(_:)` before use (ExperimentRunner.run(step:)),
  /// so every name a step carries is a model of the plan: that is the one invariant here.
  public func model(_ name: String) -> Model {
    guard let model = models[name] else {
      preconditionFailure("a step names model '\(name)', which is not in the experiment (\(modelNames.joined(separator: ", ")))")
    }
    return model
  }

  /// Whether `step` is part of this experiment.
  public func contains(_ step: ExperimentStep) -> Bool { steps.contains(step) }
}
