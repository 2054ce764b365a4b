import Foundation

/// A whole `learn-mask` run as the command, experiments and the demo perform it: one or
/// several seeds, resumable, written to a mask directory with its figures.
public struct MaskLearningJob {
  public var model: Classifier
  /// How the model is named in the summary (its path).
  public var modelName: String
  public var dataset: Dataset
  /// Held-out images (dataset and class scopes): every mask is measured on them as well, and
  /// a retention path judges its targets on them. Nil: the learning images judge.
  public var validation: Dataset?
  public var dataName: String
  /// The parameterization spec (`free`, `radial:bands=16`).
  public var paramSpec: String
  /// Makes a fresh parameterization for the model's input (one per seed run).
  public var makeParameterization: () throws -> MaskParameterization
  public var config: MaskLearningConfig
  /// Independent runs with seeds config.seed, config.seed + 1, ...
  public var seeds: Int = 1
  public var resume = false
  public var showsProgress = true
  /// Polled before every step (see `MaskLearner.shouldStop`); a stop throws `Interrupted`
  /// naming the checkpoint the run continues from.
  public var shouldStop: () -> Bool = { false }
  /// Set for `--retention`: `runRetention(to:)` searches λ along this path instead of
  /// learning at `config.lambda`.
  public var retention: RetentionPathConfig?
  /// For `--scope image`: where each learned chunk of `batch` images is kept. A run then
  /// learns only the chunks not kept yet (so a killed run continues after its last chunk,
  /// and chunks learned by `learnImageChunks` in other processes are used as they are) and
  /// assembles the mask directory from them: the same bytes as a run without a store.
  public var imageChunks: ImageChunkStore?

  public init(model: Classifier, modelName: String, dataset: Dataset, dataName: String, paramSpec: String,
              makeParameterization: @escaping () throws -> MaskParameterization, config: MaskLearningConfig) {
    self.model = model
    self.modelName = modelName
    self.dataset = dataset
    self.dataName = dataName
    self.paramSpec = paramSpec
    self.makeParameterization = makeParameterization
    self.config = config
  }

  /// Runs and writes `dir`; returns the summary written there.
  @discardableResult
  public func run(to dir: String) throws -> MaskSummary {
    guard seeds >= 1 else { throw FourierLensError.badSetting(.seeds, reason: "must be ≥ 1, got \(seeds)") }
    try config.validate()
    if resume { AtomicFile.removeStaleTemporaries(in: dir) }
    if seeds == 1 { return try runOne(config, to: dir) }
    if config.scope == .image {
      // Said whatever `showsProgress` is: the seeds' spread would otherwise read as a measurement.
      log("image masks do not depend on the seed (each starts from the same θ and sees only its own image): "
          + "the \(seeds) seeds are the same masks and mask_std.npy is 0; one seed is enough")
    }
    var summaries: [MaskSummary] = []
    for k in 0..<seeds {
      let c = config.ofSeed(k)
      if showsProgress { log("seed \(k + 1)/\(seeds) (seed \(c.seed))") }
      summaries.append(try runOne(c, to: MaskRunDirectory.seedDirectory(dir, k)))
    }
    return try writeSeedAggregate(summaries, to: dir)
  }

  /// Learns only seed k of a multi-seed run into its directory under `dir` (as `run(to:)`
  /// writes it there), so that the seeds can run as separate jobs; a later `run(to:)` with
  /// `resume` keeps the finished seeds and writes their aggregate.
  @discardableResult
  public func runSeed(_ k: Int, of dir: String) throws -> MaskSummary {
    guard (0..<seeds).contains(k) else { throw FourierLensError.badSetting(.seeds, reason: "seed \(k) is not one of 0..<\(seeds)") }
    try config.validate()
    return try runOne(config.ofSeed(k), to: MaskRunDirectory.seedDirectory(dir, k))
  }

  /// Learns, for seed k (0 for a single-seed run), the image chunks in `chunks` that are not
  /// kept yet into `imageChunks` (chunks past the data's end are nothing to do), without
  /// writing the mask directory: a shard of an image-scope run, for a later `run(to:)` to
  /// assemble. Returns how many chunks it learned.
  @discardableResult
  public func learnImageChunks(ofSeed k: Int, chunks: Range<Int>) throws -> Int {
    guard let store = imageChunks, config.scope == .image else {
      throw FourierLensError.badSetting(.scope, reason: "only image masks are learned in chunks")
    }
    guard (0..<seeds).contains(k) else { throw FourierLensError.badSetting(.seeds, reason: "seed \(k) is not one of 0..<\(seeds)") }
    try config.validate()
    try store.recordImageCount(dataset.info.count)
    let c = config.ofSeed(k)
    let learner = try MaskLearner(model: model, parameterization: makeParameterization(), config: c)
    let all = 0..<MaskLearner.imageChunkCount(images: dataset.info.count, batchSize: c.batchSize)
    var learned = 0
    for chunk in chunks.clamped(to: all) where !store.contains(chunk: chunk, config: c) {
      try store.save(try learnChunk(chunk, with: learner), chunk: chunk)
      learned += 1
    }
    return learned
  }

  /// Every chunk of an image-scope run, from `store` where kept, learned (and kept) otherwise.
  private func learnChunked(_ learner: MaskLearner, store: ImageChunkStore) throws -> MaskLearningResult {
    try store.recordImageCount(dataset.info.count)
    let count = MaskLearner.imageChunkCount(images: dataset.info.count, batchSize: learner.config.batchSize)
    guard count > 0 else { throw FourierLensError.message("the data has no images") }
    let kept = (0..<count).map { store.load(chunk: $0, config: learner.config) }
    let keptCount = kept.count { $0 != nil }
    if keptCount > 0, showsProgress { log("\(keptCount) of \(count) chunks of images already learned in \(store.directory)") }
    return MaskLearner.concatenate(try kept.enumerated().map { chunk, done in
      if let done { return done }
      let result = try learnChunk(chunk, with: learner)
      try store.save(result, chunk: chunk)
      return result
    })
  }

  /// One chunk; a stop names the chunk, and the chunk store as what a rerun continues from.
  private func learnChunk(_ chunk: Int, with learner: MaskLearner) throws -> MaskLearningResult {
    learner.showsProgress = showsProgress
    learner.shouldStop = shouldStop
    do { return try learner.learnImageChunk(chunk, of: dataset) } catch let stop as Interrupted {
      throw Interrupted(position: "\(stop.position) of chunk \(chunk) of the images", checkpoint: imageChunks?.directory)
    }
  }

  func log(_ line: String) {
    FileHandle.standardError.write(Data("learn-mask: \(line)\n".utf8))
  }

  /// Says on standard error, whatever `showsProgress` is, which masks missed their target:
  /// the keep rule must never fail silently.
  func warnUnmet(_ groups: [Int], of maskCount: Int, what target: String, keeping kept: String, in dir: String) {
    guard !groups.isEmpty else { return }
    let names: String
    switch config.scope {
    case .dataset: names = "the dataset mask"
    case .class:
      let classes = dataset.info.classes
      names = "class " + groups.map { $0 < classes.count ? classes[$0] : "\($0)" }.joined(separator: ", ")
    case .image: names = "image " + groups.map(String.init).joined(separator: ", ")
    }
    log("warning: \(groups.count) of \(maskCount) masks never reached \(target) (\(names)); "
        + "\(kept) (\(dir)/summary.json: target_met false)")
  }

  /// Runs a learner with its checkpoint in `dir` (a stop throws `Interrupted` naming it).
  func learnResumably(_ learner: MaskLearner, in dir: String, from state: MaskLearnerState?,
                      warmStart: [Float]? = nil) throws -> MaskLearningResult {
    learner.showsProgress = showsProgress
    learner.checkpoint = MaskLearner.Checkpoint(location: MaskRunDirectory.checkpointFile(dir)) {
      try MaskRunDirectory.writeCheckpoint($0, to: dir)
    }
    learner.shouldStop = shouldStop
    return try learner.learn(on: dataset, validation: config.scope == .image ? nil : validation,
                             resumeFrom: state, warmStart: warmStart)
  }

  /// The summary of `result`, with the images behind its numbers.
  func summary(of result: MaskLearningResult) -> MaskSummary {
    var s = MaskSummary(result: result, param: paramSpec, model: modelName, data: dataName)
    s.learningImages = dataset.info.range
    s.validationImages = config.scope == .image ? nil : validation?.info.range
    return s
  }

  /// Says, whatever `showsProgress` is, when a run hit the epoch cap before converging: its
  /// mask is not the one the loss leads to, and comparisons with it are not sound.
  func warnUnconverged(_ result: MaskLearningResult, what: String, in dir: String) {
    guard result.converged == false else { return }
    log("warning: \(what) did not converge within --epochs \(result.config.epochs) (sparsity or retention still "
        + "drifting by more than \(result.config.tolerance) over the last \(result.config.patience) epochs); raise --epochs "
        + "(\(dir)/summary.json: converged false)")
  }

  /// Says which epoch a fixed-λ run kept and why, and warns when a later epoch was much
  /// sparser and missed the accuracy target only narrowly (the keep rule then hides it).
  func explainKeptEpoch(_ result: MaskLearningResult) {
    guard result.config.keep == .lastMeetingTarget, result.maskCount == 1, let kept = result.groupKeptEpoch.first,
          !result.history.isEmpty else { return }
    let clean = result.cleanAccuracy
    let target = result.config.accuracyTarget
    if result.groupMetTarget.first == true {
      if showsProgress {
        log(String(format: "kept epoch %d of %d: the last whose masked accuracy reached %g %% of clean accuracy",
                   kept, result.epochsRun, Double(target) * 100))
      }
    } else if showsProgress {
      log("kept epoch \(kept) of \(result.epochsRun): no epoch reached the target, so the last state is kept")
    }
    guard let keptRecord = result.history.first(where: { $0.epoch == kept }) else { return }
    let narrowMiss = result.history.filter { h in
      let retention = Retention.of(masked: h.maskedAccuracy, clean: clean)
      return h.epoch > kept && h.sparsity <= keptRecord.sparsity - 0.1 && retention >= target - 0.02
    }
    if let sparsest = narrowMiss.min(by: { $0.sparsity < $1.sparsity }) {
      log(String(format: "warning: epoch %d was much sparser (%.3f against the kept %.3f) at retention %.4f, just under "
                  + "the %g target; to keep such masks lower --accuracy-target, or choose λ by --retention",
                 sparsest.epoch, sparsest.sparsity, keptRecord.sparsity,
                 Retention.of(masked: sparsest.maskedAccuracy, clean: clean), Double(target)))
    }
  }

  private func runOne(_ config: MaskLearningConfig, to dir: String) throws -> MaskSummary {
    // A finished run is not redone on --resume.
    if resume { AtomicFile.removeStaleTemporaries(in: dir) }
    if resume, let done = try? MaskRunDirectory.read(dir), done.summary.seed == config.seed {
      if showsProgress { log("\(dir) is complete; kept") }
      // A run killed after its summary was written may still have its checkpoint.
      try? FileManager.default.removeItem(atPath: MaskRunDirectory.checkpointFile(dir))
      return done.summary
    }
    let learner = try MaskLearner(model: model, parameterization: makeParameterization(), config: config)
    let result: MaskLearningResult
    if let store = imageChunks, config.scope == .image {
      result = try learnChunked(learner, store: store)
    } else {
      let state = resume ? try MaskRunDirectory.readCheckpoint(dir) : nil
      if let state, showsProgress { log("resuming \(dir) at epoch \(state.nextEpoch + 1)") }
      result = try learnResumably(learner, in: dir, from: state)
    }
    warnUnmet(result.unmetGroups ?? [], of: result.maskCount,
              what: String(format: "%g %% of clean accuracy", Double(config.accuracyTarget) * 100),
              keeping: "each keeps its last state", in: dir)
    explainKeptEpoch(result)
    warnUnconverged(result, what: String(format: "the mask at λ %g", Double(config.lambda)), in: dir)
    let summary = summary(of: result)
    try writeMaskDirectory(result, summary: summary, to: dir)
    try? FileManager.default.removeItem(atPath: MaskRunDirectory.checkpointFile(dir))
    return summary
  }

  /// Writes a complete mask directory: figures first, as summary.json, written last, marks
  /// the directory complete.
  func writeMaskDirectory(_ result: MaskLearningResult, summary: MaskSummary, to dir: String) throws {
    try writeFigures(masks: result.masks, shape: result.maskShape, to: dir)
    try MaskRunDirectory.write(result, summary: summary, to: dir)
  }

  /// `mask.png` (the first mask) and `examples.png` (images seen through it).
  private func writeFigures(masks: [Float], shape: [Int], to dir: String) throws {
    let first = Array(masks.prefix(shape.reduce(1, *)))
    try MaskFigures.write(MaskFigures.maskHeatmap(first, shape: shape, transform: config.transform), to: dir + "/mask.png")
    let sample = try dataset.batch(Array(0..<min(8, dataset.info.count)))
    let seen = try MaskedClassifier(base: model, mask: first, transform: config.transform, layout: config.layout)
      .masked(sample.images)
    try MaskFigures.write(MaskFigures.examples(original: sample.images, masked: seen), to: dir + "/examples.png")
  }

  /// The mean mask over seeds (`mask.npy`), its pixel-wise standard deviation
  /// (`mask_std.npy`), and a summary whose metrics are the means over seeds.
  /// `adjust` sets what else the aggregate's summary records (a retention run's λ and path).
  func writeSeedAggregate(_ summaries: [MaskSummary], to dir: String,
                          adjust: (inout MaskSummary) -> Void = { _ in }) throws -> MaskSummary {
    let runs = try summaries.indices.map { try MaskRunDirectory.read(MaskRunDirectory.seedDirectory(dir, $0)) }
    let count = Float(runs.count)
    let size = runs[0].allValues.count
    var mean = [Float](repeating: 0, count: size), sq = [Float](repeating: 0, count: size)
    for r in runs { for i in 0..<size { mean[i] += r.allValues[i] / count; sq[i] += r.allValues[i] * r.allValues[i] / count } }
    let std = (0..<size).map { (max(0, sq[$0] - mean[$0] * mean[$0])).squareRoot() }
    let first = summaries[0]
    let shape = first.maskCount == 1 ? first.maskShape : [first.maskCount] + first.maskShape
    try NPY.write(Tensor(shape: shape, data: mean), to: MaskRunDirectory.maskFile(dir))
    try NPY.write(Tensor(shape: shape, data: std), to: dir + "/mask_std.npy")
    func average(_ f: (MaskSummary) -> Float) -> Float { summaries.map(f).reduce(0, +) / count }
    var s = first
    s.cleanAccuracy = average(\.cleanAccuracy)
    s.maskedAccuracy = average(\.maskedAccuracy)
    s.complementaryAccuracy = average(\.complementaryAccuracy)
    s.sparsity = average(\.sparsity)
    s.epochsRun = summaries.map(\.epochsRun).max() ?? 0
    s.masksMeetingTarget = summaries.map(\.masksMeetingTarget).min() ?? 0
    s.seed = config.seed
    s.history = []
    s.targetMet = summaries.allSatisfy { $0.targetMet ?? true }
    func averageIfAll(_ f: (MaskSummary) -> Float?) -> Float? {
      let values = summaries.compactMap(f)
      return values.count == summaries.count ? values.reduce(0, +) / count : nil
    }
    s.learningRetention = averageIfAll(\.learningRetention)
    s.validationRetention = averageIfAll(\.validationRetention)
    s.validationCleanAccuracy = averageIfAll(\.validationCleanAccuracy)
    s.validationMaskedAccuracy = averageIfAll(\.validationMaskedAccuracy)
    s.converged = summaries.contains { $0.converged == nil } ? nil : summaries.allSatisfy { $0.converged == true }
    s.keptEpoch = nil
    s.groupKeptEpochs = nil
    s.optimizerSteps = summaries.reduce(0) { $0 + ($1.optimizerSteps ?? 0) }
    s.seeds = summaries.map {
      .init(seed: $0.seed, maskedAccuracy: $0.maskedAccuracy, sparsity: $0.sparsity, epochsRun: $0.epochsRun,
            lambda: $0.retentionTarget == nil ? nil : $0.lambda, targetMet: $0.targetMet,
            validationRetention: $0.validationRetention, converged: $0.converged)
    }
    adjust(&s)
    try writeFigures(masks: mean, shape: first.maskShape, to: dir)
    try AtomicFile.writeJSON(s, to: MaskRunDirectory.summaryFile(dir))
    return s
  }
}
