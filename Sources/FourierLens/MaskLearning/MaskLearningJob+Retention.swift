import Foundation

/// Where a retention run's path stands, written after every λ (`path-state.json` in the
/// seed's working directory): a killed or interrupted run continues from here, and from
/// the learner's checkpoint of the λ it was inside.
struct RetentionPathState: Codable, Equatable {
  /// The configuration of the run (λ aside, which the path sets) and of its path; a resume
  /// with others is refused.
  var config: MaskLearningConfig
  var path: RetentionPathConfig
  var steps: [RetentionPathStep]
  var finished: Bool

  static func file(_ dir: String) -> String { dir + "/path-state.json" }

  static func read(_ dir: String) throws -> RetentionPathState? {
    try MaskRunDirectory.readResumeFile(RetentionPathState.self, at: file(dir), what: "path state")
  }

  func write(to dir: String) throws {
    // Plain JSONEncoder: floats are written in shortest round-trip form, so θ comes back exactly.
    try AtomicFile.write(JSONEncoder().encode(self), to: Self.file(dir))
  }
}

extension MaskLearningJob {
  /// `flens learn-mask --retention`: for each seed, the regularisation path of `retention`
  /// (see `RetentionPathConfig`), then for each target R the sparsest masks meeting it in
  /// `dir/retention-<R>/` (seeds in `retention-<R>/seeds/<k>/`, aggregated as `run(to:)`
  /// aggregates seeds), and the whole path in `dir/path.csv`. Returns one summary per target,
  /// in the order of `retention.targets`.
  @discardableResult
  public func runRetention(to dir: String) throws -> [MaskSummary] {
    guard let retention else { throw FourierLensError.badSetting(.retention, reason: "no targets given") }
    guard seeds >= 1 else { throw FourierLensError.badSetting(.seeds, reason: "must be ≥ 1, got \(seeds)") }
    try retention.validate()
    guard config.scope != .image else {
      throw FourierLensError.badSetting(.retention, reason: "works with scope dataset or class, not image")
    }
    try config.validate()
    if resume { AtomicFile.removeStaleTemporaries(in: dir) }
    var perTarget = [[MaskSummary]](repeating: [], count: retention.targets.count)
    var rows = CSVTable(header: ["seed", "group", "step", "lambda", "masked_accuracy", "clean_accuracy", "retention",
                                 "sparsity", "images", "validation_masked_accuracy", "validation_clean_accuracy",
                                 "validation_retention", "validation_images", "converged", "optimizer_steps",
                                 "warm_start_step"])
    for k in 0..<seeds {
      var c = config.ofSeed(k)
      // Every λ returns its converged mask; the path judges it against the targets itself.
      c.keep = .finalMask
      c.accuracyTarget = retention.smallestTarget
      if showsProgress && seeds > 1 { log("seed \(k + 1)/\(seeds) (seed \(c.seed))") }
      let workDir = seeds == 1 ? dir : MaskRunDirectory.seedDirectory(dir, k)
      let path = try runPath(c, retention: retention, in: workDir)
      for (s, step) in path.enumerated() {
        for g in step.groupImageCount.indices {
          // An empty cell where a value does not exist (no validation images, image scope).
          func cell(_ value: CustomStringConvertible?) -> String { value.map { "\($0)" } ?? "" }
          let v = step.validation
          rows.append([c.seed, g, s, step.lambda, step.groupMaskedAccuracy[g], step.groupCleanAccuracy[g],
                       step.learningRetention(group: g), step.groupSparsity[g], step.groupImageCount[g],
                       v?.groupMaskedAccuracy[g], v?.groupCleanAccuracy[g], v?.retention(group: g), v?.groupImageCount[g],
                       step.converged.map { $0 ? 1 : 0 }, step.optimizerSteps, step.warmStart].map(cell))
        }
      }
      for (t, target) in retention.targets.enumerated() {
        let targetDir = dir + "/" + RetentionPathConfig.directoryName(target)
        let maskDir = seeds == 1 ? targetDir : MaskRunDirectory.seedDirectory(targetDir, k)
        // Leftovers of writers killed while the directories were written last time.
        if resume { for d in [targetDir, maskDir] { AtomicFile.removeStaleTemporaries(in: d) } }
        perTarget[t].append(try writeChoice(RetentionChoice(target: target, path: path), path: path, config: c,
                                            to: maskDir))
      }
    }
    try rows.write(to: dir + "/path.csv")
    guard seeds > 1 else { return perTarget.map { $0[0] } }
    return try retention.targets.enumerated().map { t, target in
      let summaries = perTarget[t]
      return try writeSeedAggregate(summaries, to: dir + "/" + RetentionPathConfig.directoryName(target)) { s in
        s.retentionTarget = target
        s.accuracyTarget = target
        s.lambda = summaries.map(\.lambda).reduce(0, +) / Float(summaries.count)
        s.groupLambdas = nil
        s.path = summaries.flatMap { $0.path ?? [] }
      }
    }
  }

  /// The λ path of one seed in `dir`, resumed from `path-state.json` and the learner's
  /// checkpoint when `resume` is set.
  private func runPath(_ config: MaskLearningConfig, retention: RetentionPathConfig,
                       in dir: String) throws -> [RetentionPathStep] {
    if resume { AtomicFile.removeStaleTemporaries(in: dir) }
    var state = RetentionPathState(config: config, path: retention, steps: [], finished: false)
    if resume, let saved = try RetentionPathState.read(dir) {
      guard saved.config == config, saved.path == retention else {
        throw FourierLensError.badFile(path: RetentionPathState.file(dir),
                                       reason: "was written with another configuration; start afresh without --resume")
      }
      state = saved
      if showsProgress && !saved.finished { log("resuming the path in \(dir) at λ step \(saved.steps.count + 1)") }
    }
    while !state.finished, let next = retention.next(after: state.steps) {
      var c = config
      c.lambda = next.lambda
      let learner = try MaskLearner(model: model, parameterization: makeParameterization(), config: c)
      // A checkpoint left by another λ (killed between the path state and its removal) is stale.
      let checkpoint = resume ? try MaskRunDirectory.readCheckpoint(dir).flatMap { $0.config == c ? $0 : nil } : nil
      if showsProgress {
        log(String(format: "λ step %d (%@): λ = %g%@", state.steps.count + 1, next.refines ? "refining" : "bracketing",
                   Double(c.lambda), checkpoint.map { " (resuming at epoch \($0.nextEpoch + 1))" } ?? ""))
      }
      let result = try learnResumably(learner, in: dir, from: checkpoint, warmStart: next.warmStart.map { state.steps[$0].theta })
      state.steps.append(RetentionPathStep(lambda: c.lambda, warmStart: next.warmStart, refines: next.refines, result: result))
      state.finished = retention.next(after: state.steps) == nil
      try state.write(to: dir)
      try? FileManager.default.removeItem(atPath: MaskRunDirectory.checkpointFile(dir))
      warnUnconverged(result, what: String(format: "λ %g of the path", Double(c.lambda)), in: dir)
      if showsProgress {
        let held = result.validation.map { String(format: ", held-out retention %.4f", $0.retention) } ?? ""
        log(String(format: "λ = %g: masked %.4f / clean %.4f (retention %.4f%@), sparsity %.4f, %d epochs%@%@",
                   Double(c.lambda), result.maskedAccuracy, result.cleanAccuracy, result.retention, held, result.sparsity,
                   result.epochsRun, result.converged == true ? ", converged" : "",
                   state.finished ? "; path done" : ""))
      }
    }
    if showsProgress {
      let steps = state.steps.reduce(0) { $0 + $1.optimizerSteps }
      log("path of \(state.steps.count) λ: \(steps) optimisation steps")
    }
    return state.steps
  }

  /// Assembles the masks `choice` picks from `path`, measures them and writes their directory.
  private func writeChoice(_ choice: RetentionChoice, path: [RetentionPathStep], config: MaskLearningConfig,
                           to dir: String) throws -> MaskSummary {
    let lambdas = choice.stepOfGroup.map { path[$0].lambda }
    // The λ reported is the largest any mask needed (the only one for a dataset mask).
    let withImages = choice.stepOfGroup.indices.filter { path[0].groupImageCount[$0] > 0 }
    var c = config
    c.lambda = withImages.map { lambdas[$0] }.max() ?? lambdas[0]
    c.accuracyTarget = choice.target
    let learner = try MaskLearner(model: model, parameterization: makeParameterization(), config: c)
    learner.showsProgress = false
    var result = try learner.measure(theta: choice.theta(from: path), on: dataset, validation: validation)
    // Met or not as the path judged it: on the validation images.
    result.groupMetTarget = choice.metByGroup
    result.masksMeetingTarget = choice.metByGroup.filter { $0 }.count
    let steps = Set(choice.stepOfGroup)
    // Converged when every λ its masks come from converged.
    let chosen = choice.stepOfGroup.indices.filter { path[0].groupImageCount[$0] > 0 }.map { path[choice.stepOfGroup[$0]] }
    result.converged = chosen.contains { $0.converged == nil } ? nil : chosen.allSatisfy { $0.converged == true }
    result.optimizerSteps = path.reduce(0) { $0 + $1.optimizerSteps }
    result.groupKeptEpoch = choice.stepOfGroup.map { path[$0].epochsRun }
    if steps.count == 1, let only = steps.first {
      result.history = path[only].history
      result.epochsRun = path[only].epochsRun
    } else {
      result.epochsRun = steps.map { path[$0].epochsRun }.max() ?? 0
    }
    let judged = validation == nil ? "the learning images" : "the validation images"
    let target = String(format: "retention %g (masked ≥ %g × clean accuracy) on %@ along the λ path", Double(choice.target),
                        Double(choice.target), judged)
    warnUnmet(result.unmetGroups ?? [], of: result.maskCount, what: target,
              keeping: "each keeps the path's mask with the highest retention", in: dir)
    if result.converged == false {
      log(String(format: "warning: the mask chosen for retention %g in %@ comes from a λ that did not converge within "
                  + "--epochs %d; raise --epochs (summary.json: converged false)", Double(choice.target), dir, config.epochs))
    }
    var summary = summary(of: result)
    summary.retentionTarget = choice.target
    summary.groupLambdas = config.scope == .class ? lambdas : nil
    summary.keptEpoch = nil
    summary.path = path.map {
      .init(seed: config.seed, lambda: $0.lambda, maskedAccuracy: $0.maskedAccuracy, cleanAccuracy: $0.cleanAccuracy,
            sparsity: $0.sparsity, validationRetention: $0.validation?.retention, converged: $0.converged,
            optimizerSteps: $0.optimizerSteps)
    }
    try writeMaskDirectory(result, summary: summary, to: dir)
    return summary
  }
}
