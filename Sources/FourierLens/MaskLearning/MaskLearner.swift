import Foundation

/// Learns Fourier masks as in Karantzas et al. (2022): a mask M = M(θ) on the spectrum of
/// the model's normalised input, x_M = T⁻¹(M ⊙ T(x)), trained so that the model's loss
/// is unchanged (the invariance term) while ‖M‖₁/‖M₀‖₁ is pushed down (the sparsity term).
///
/// One mechanism serves every scope: images are assigned to mask groups (all to group 0
/// for a dataset mask, by label for class masks, one group per image for image masks),
/// each group has its own θ, its own loss and its own accuracy target, and the stopping
/// rule waits for every group.
public final class MaskLearner {
  public let model: Classifier
  public let parameterization: MaskParameterization
  public let config: MaskLearningConfig
  /// Saves the state at the end of every epoch of a `dataset`/`class` run, and when the run stops.
  public var checkpoint: Checkpoint?
  /// Print progress on standard error.
  public var showsProgress = true
  /// Polled before every optimisation step; returning true stops the run there: the
  /// state goes to `checkpoint` (dataset and class scopes) and `Interrupted` is thrown.
  public var shouldStop: () -> Bool = { false }

  /// Where the learner's state is saved: `Interrupted` names `location`, the place a
  /// resumed run continues from.
  public struct Checkpoint {
    public var location: String
    public var save: (MaskLearnerState) throws -> Void

    public init(location: String, save: @escaping (MaskLearnerState) throws -> Void) {
      self.location = location
      self.save = save
    }
  }

  /// The masks' frequency stage in the model's normalised space.
  let masking: NormalizedMasking
  private let imageShape: [Int]

  public init(model: Classifier, parameterization: MaskParameterization, config: MaskLearningConfig) throws {
    try config.validate()
    self.model = model
    self.parameterization = parameterization
    self.config = config
    let d = model.description
    masking = try NormalizedMasking(model: d, transform: config.transform, layout: config.layout)
    imageShape = d.input
    guard parameterization.maskShape == masking.maskOperator.maskShape else {
      throw FourierLensError.shapeMismatch(
        "mask parameterization '\(parameterization.name)' gives masks of shape \(parameterization.maskShape), "
          + "the model's input \(d.input) with layout \(config.layout.rawValue) needs \(masking.maskOperator.maskShape)")
    }
  }

  /// Learns the masks of `config.scope` on every image of `dataset`.
  ///
  /// `warmStart` (θ of every mask back to back; dataset and class scopes) starts the run from
  /// those parameters instead of the parameterization's initial ones, with a fresh optimiser
  /// and schedule: a regularisation path continues from the mask of the previous λ this way.
  /// A checkpoint (`state`) takes precedence, since it already holds where the run was.
  /// `validation` (dataset and class scopes): images the masks do not learn from, on which
  /// the returned masks are measured as well (`MaskLearningResult.validation`).
  public func learn(on dataset: Dataset, validation: Dataset? = nil, resumeFrom state: MaskLearnerState? = nil,
                    warmStart: [Float]? = nil) throws -> MaskLearningResult {
    guard dataset.info.shape == imageShape else {
      throw FourierLensError.shapeMismatch("the data's images are \(dataset.info.shape), the model expects \(imageShape)")
    }
    guard dataset.info.count > 0 else { throw FourierLensError.message("the data has no images") }
    if let state, state.config != config {
      throw FourierLensError.message("the checkpoint was written with another configuration; start afresh without --resume")
    }
    if warmStart != nil, config.scope == .image {
      throw FourierLensError.badSetting(.scope, reason: "image masks cannot be warm-started")
    }
    if let validation {
      guard config.scope != .image else {
        throw FourierLensError.badSetting(.validation, reason: "image masks are each learned on their own image; they have no held-out images")
      }
      guard validation.info.shape == imageShape else {
        throw FourierLensError.shapeMismatch("the validation images are \(validation.info.shape), the model expects \(imageShape)")
      }
    }
    switch config.scope {
    case .dataset:
      return try learnGroups(dataset, indices: Array(0..<dataset.info.count), groupCount: 1,
                             group: { _, _ in 0 }, validation: validation, resumeFrom: state, warmStart: warmStart)
    case .class:
      return try learnGroups(dataset, indices: Array(0..<dataset.info.count), groupCount: dataset.info.classes.count,
                             group: { _, label in label }, validation: validation, resumeFrom: state, warmStart: warmStart)
    case .image:
      let chunks = Self.imageChunkCount(images: dataset.info.count, batchSize: config.batchSize)
      return Self.concatenate(try (0..<chunks).map { try learnImageChunk($0, of: dataset) })
    }
  }

  /// How many chunks of `batchSize` images an image-scope run of `images` images learns.
  public static func imageChunkCount(images: Int, batchSize: Int) -> Int { (images + batchSize - 1) / batchSize }

  /// Learns the image masks of chunk `chunk`: images `chunk·batch ..< (chunk + 1)·batch`,
  /// optimised at once as one small run. A chunk's result depends only on its images (never
  /// on the chunks before it), and `concatenate` of every chunk's result, in order, is
  /// `learn(on:)`'s: chunks learned by separate processes assemble to the same bytes.
  public func learnImageChunk(_ chunk: Int, of dataset: Dataset) throws -> MaskLearningResult {
    guard config.scope == .image else {
      throw FourierLensError.badSetting(.scope, reason: "chunks of images are learned with image scope, not \(config.scope.rawValue)")
    }
    guard dataset.info.shape == imageShape else {
      throw FourierLensError.shapeMismatch("the data's images are \(dataset.info.shape), the model expects \(imageShape)")
    }
    let n = dataset.info.count
    guard chunk >= 0, chunk < Self.imageChunkCount(images: n, batchSize: config.batchSize) else {
      throw FourierLensError.message("image chunk \(chunk) is not one of the \(Self.imageChunkCount(images: n, batchSize: config.batchSize)) chunks of \(n) images")
    }
    let start = chunk * config.batchSize
    let indices = Array(start..<min(n, start + config.batchSize))
    let position = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
    return try learnGroups(dataset, indices: indices, groupCount: indices.count,
                           group: { index, _ in position[index]! }, validation: nil, resumeFrom: nil, warmStart: nil)
  }

  // MARK: - The optimisation of one set of groups

  /// Starts the optimisation of the masks of `indices` (image `index` with label `label`
  /// belongs to group `group(index, label)`): one pass over the clean images for the
  /// reference values, ‖M₀‖₁ from the parameterization's initial θ, and the state to step:
  /// `state` when resuming, else θ from `warmStart` or θ₀ for every group with a fresh Adam.
  func startOptimization(_ dataset: Dataset, indices: [Int], groupCount: Int,
                         group: (_ index: Int, _ label: Int) -> Int,
                         resumeFrom state: MaskLearnerState? = nil, warmStart: [Float]? = nil) throws -> MaskOptimization {
    let (clean, groupOfIndex) = try cleanReference(dataset, indices: indices, groupCount: groupCount, group: group)
    let theta0 = try parameterization.initialParameters()
    guard theta0.count == parameterization.parameterCount, theta0.allSatisfy(\.isFinite) else {
      throw FourierLensError.plugin(library: parameterization.name, reason: "initial parameters are not \(parameterization.parameterCount) finite numbers")
    }
    let p = theta0.count
    let initialL1 = try checkedMask(theta0, context: "initial mask").reduce(0) { $0 + abs($1) }
    guard initialL1 > 0 else { throw FourierLensError.plugin(library: parameterization.name, reason: "the initial mask is all zeros") }
    if let warmStart {
      guard warmStart.count == p * groupCount, warmStart.allSatisfy(\.isFinite) else {
        throw FourierLensError.message("a warm start needs \(p * groupCount) finite parameters (\(groupCount) masks of \(p)), got \(warmStart.count)")
      }
    }
    let start = state ?? MaskLearnerState(
      nextEpoch: 0, theta: warmStart ?? Array([[Float]](repeating: theta0, count: groupCount).joined()),
      adam: Adam(parameterCount: p * groupCount, groups: groupCount), keptTheta: .init(repeating: [], count: groupCount),
      previousSparsity: nil, calmEpochs: 0, history: [], config: config)
    return MaskOptimization(learner: self, groupCount: groupCount, groupOfIndex: groupOfIndex, clean: clean,
                            initialL1: initialL1, state: start)
  }

  private func learnGroups(_ dataset: Dataset, indices: [Int], groupCount: Int,
                           group: (_ index: Int, _ label: Int) -> Int, validation: Dataset?,
                           resumeFrom state: MaskLearnerState?, warmStart: [Float]?) throws -> MaskLearningResult {
    let batchSize = config.batchSize
    let batchesPerEpoch = (indices.count + batchSize - 1) / batchSize
    let label = config.scope == .image ? "mask \(indices.first!)–\(indices.last!)" : "mask"
    var run = try startOptimization(dataset, indices: indices, groupCount: groupCount, group: group,
                                    resumeFrom: state, warmStart: warmStart)
    let clean = run.clean
    let p = parameterization.parameterCount
    let schedule = MaskSchedule(config: config, batchesPerEpoch: batchesPerEpoch)
    let progress = ProgressReporter(label: label, total: (config.epochs - run.state.nextEpoch) * indices.count,
                                    unit: "img", quiet: !showsProgress || config.scope == .image)
    let saveCheckpoint = config.scope == .image ? nil : checkpoint
    if run.state.keptEpochs == nil { run.state.keptEpochs = [Int](repeating: 0, count: groupCount) }

    while run.state.nextEpoch < config.epochs {
      schedule.epochBegins(&run.state)
      let epoch = run.state.nextEpoch
      let epochStart = DispatchTime.now()
      let order = batchesPerEpoch == 1 ? indices
        : BatchStream.permutation(count: indices.count, seed: SeededGenerator.derive(config.seed, UInt64(epoch)))
          .map { indices[$0] }
      // Resuming inside an epoch: its first steps are done and their sums kept.
      var batches = run.state.stepInEpoch ?? 0
      var dataSum = run.state.epochDataSum ?? 0, distortionSum = run.state.epochDistortionSum ?? 0
      (run.state.stepInEpoch, run.state.epochDataSum, run.state.epochDistortionSum) = (nil, nil, nil)
      var evaluatedTheta = run.theta  // θ whose accuracy the epoch's evaluation measures
      var maskedCorrect = [Int](repeating: 0, count: groupCount)
      var step = epoch * batchesPerEpoch + batches
      try BatchStream(dataset: dataset, order: order, batchSize: batchSize, firstBatch: batches).forEach { idx, batch in
        if shouldStop() {
          if let saveCheckpoint {
            var inside = run.state
            if batches > 0 { (inside.stepInEpoch, inside.epochDataSum, inside.epochDistortionSum) = (batches, dataSum, distortionSum) }
            try saveCheckpoint.save(inside)
          }
          throw Interrupted(position: "before step \(batches + 1) of \(batchesPerEpoch) in epoch \(epoch + 1)",
                            checkpoint: saveCheckpoint?.location)
        }
        // The whole set as one batch: this forward pass already measures θ before the step.
        if batchesPerEpoch == 1 { evaluatedTheta = run.theta }
        let b = try FourierLensError.locating("epoch \(epoch + 1), batch \(batches + 1) of \(batchesPerEpoch)") {
          try run.step(batch, indices: idx, learningRate: schedule.learningRate(at: step, state: run.state))
        }
        if batchesPerEpoch == 1 {
          countCorrect(b.logits, labels: batch.labels, groups: idx.map { run.groupOfIndex[$0]! }, into: &maskedCorrect)
        }
        let present = b.presentGroups
        dataSum += present.reduce(0.0) { $0 + Double(b.terms.dataTerm[$1]) } / Double(max(1, present.count))
        distortionSum += present.reduce(0.0) { $0 + Double(b.terms.distortion[$1]) } / Double(max(1, present.count))
        batches += 1
        step += 1
        progress.advance(by: idx.count, metrics: String(format: "epoch %d/%d  I %.4f", epoch + 1, config.epochs,
                                                        distortionSum / Double(batches)))
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart.uptimeNanoseconds) / 1e9
      if batchesPerEpoch > 1 {
        evaluatedTheta = run.theta
        maskedCorrect = try evaluate(dataset, indices: indices, theta: evaluatedTheta, groupCount: groupCount,
                                     groupOf: { run.groupOfIndex[$0]! })
      }
      // Keep each group's mask once its accuracy target is met.
      for k in 0..<groupCount where clean.countPerGroup[k] > 0 {
        let cleanAcc = Float(clean.correctPerGroup[k]) / Float(clean.countPerGroup[k])
        let maskedAcc = Float(maskedCorrect[k]) / Float(clean.countPerGroup[k])
        if maskedAcc >= config.accuracyTarget * cleanAcc {
          run.state.keptTheta[k] = Array(evaluatedTheta[k * p ..< (k + 1) * p])
          run.state.keptEpochs?[k] = epoch + 1
        }
      }
      let sparsity = try meanSparsity(evaluatedTheta, groupCount: groupCount, initialL1: run.initialL1)
      let dataMean = Float(dataSum / Double(max(1, batches)))
      run.state.history.append(MaskEpochRecord(
        epoch: epoch + 1, learningRate: schedule.learningRate(at: step - 1, state: run.state), dataTerm: dataMean,
        distortion: Float(distortionSum / Double(max(1, batches))), sparsity: sparsity,
        loss: dataMean + config.lambda * sparsity,
        maskedAccuracy: Float(maskedCorrect.reduce(0, +)) / Float(indices.count),
        imagesPerSecond: Float(Double(indices.count) / max(seconds, 1e-9))))
      run.state.nextEpoch = epoch + 1
      let done = schedule.epochEnded(&run.state, cleanAccuracy: Float(clean.correctPerGroup.reduce(0, +)) / Float(indices.count),
                                     everyGroupKept: (0..<groupCount).allSatisfy {
                                       clean.countPerGroup[$0] == 0 || !run.state.keptTheta[$0].isEmpty
                                     })
      try saveCheckpoint?.save(run.state)
      if done { break }
    }
    progress.finish()

    // The result: by the keep rule, kept masks where the target was met, the last iterate elsewhere.
    var finalTheta = run.theta
    var metTarget = [Bool](repeating: false, count: groupCount)
    var keptEpoch = [Int](repeating: run.state.nextEpoch, count: groupCount)
    if config.keep == .lastMeetingTarget {
      for k in 0..<groupCount where !run.state.keptTheta[k].isEmpty {
        finalTheta.replaceSubrange(k * p ..< (k + 1) * p, with: run.state.keptTheta[k])
        metTarget[k] = true
        keptEpoch[k] = run.state.keptEpochs?[k] ?? run.state.nextEpoch
      }
    }
    var result = try measuredResult(finalTheta, metTarget: metTarget, dataset: dataset, indices: indices, of: run,
                                    epochsRun: run.state.nextEpoch, history: run.state.history)
    if config.keep == .finalMask {
      result.groupMetTarget = (0..<groupCount).map {
        clean.countPerGroup[$0] > 0 && result.groupMaskedAccuracy[$0] >= config.accuracyTarget * result.groupCleanAccuracy[$0]
      }
      result.masksMeetingTarget = result.groupMetTarget.filter { $0 }.count
    }
    result.groupKeptEpoch = keptEpoch
    result.converged = run.state.converged
    result.optimizerSteps = run.state.nextEpoch * batchesPerEpoch
    if let validation { result.validation = try heldOutAccuracy(finalTheta, groupCount: groupCount, on: validation) }
    return result
  }

  /// Measures given parameters (every mask of `config.scope`, back to back) on `dataset`
  /// without learning: a mask is counted as meeting the target when its masked accuracy is
  /// ≥ `config.accuracyTarget` × its clean accuracy. A retention search assembles masks
  /// from several λ and measures the assembly this way.
  public func measure(theta: [Float], on dataset: Dataset, validation: Dataset? = nil) throws -> MaskLearningResult {
    guard config.scope != .image else {
      throw FourierLensError.badSetting(.scope, reason: "image masks are measured while they are learned")
    }
    let indices = Array(0..<dataset.info.count)
    let groupCount = config.scope == .dataset ? 1 : dataset.info.classes.count
    let p = parameterization.parameterCount
    guard theta.count == p * groupCount else {
      throw FourierLensError.message("\(theta.count) parameters for \(groupCount) masks of \(p)")
    }
    let reference = try startOptimization(dataset, indices: indices, groupCount: groupCount,
                                          group: { _, label in self.config.scope == .dataset ? 0 : label })
    var result = try measuredResult(theta, metTarget: [], dataset: dataset, indices: indices, of: reference,
                                    epochsRun: 0, history: [])
    result.groupMetTarget = (0..<groupCount).map {
      reference.clean.countPerGroup[$0] > 0 && result.groupMaskedAccuracy[$0] >= config.accuracyTarget * result.groupCleanAccuracy[$0]
    }
    result.masksMeetingTarget = result.groupMetTarget.filter { $0 }.count
    if let validation { result.validation = try heldOutAccuracy(theta, groupCount: groupCount, on: validation) }
    return result
  }

  /// Clean and masked accuracy of the masks θ on `images`, which they were not learned on:
  /// every image counts for the dataset mask, and for its class's mask with class scope.
  func heldOutAccuracy(_ theta: [Float], groupCount: Int, on images: Dataset) throws -> HeldOutAccuracy {
    let indices = Array(0..<images.info.count)
    let (clean, groupOfIndex) = try cleanReference(images, indices: indices, groupCount: groupCount,
                                                   group: { _, label in groupCount == 1 ? 0 : label })
    let masked = try evaluate(images, indices: indices, masks: allMasks(theta, groupCount: groupCount),
                              groupCount: groupCount, groupOf: { groupOfIndex[$0]! })
    func fraction(_ correct: Int, _ k: Int) -> Float {
      clean.countPerGroup[k] == 0 ? 0 : Float(correct) / Float(clean.countPerGroup[k])
    }
    let n = Float(max(1, indices.count))
    return HeldOutAccuracy(
      imageCount: indices.count, cleanAccuracy: Float(clean.correctPerGroup.reduce(0, +)) / n,
      maskedAccuracy: Float(masked.reduce(0, +)) / n, groupImageCount: clean.countPerGroup,
      groupCleanAccuracy: (0..<groupCount).map { fraction(clean.correctPerGroup[$0], $0) },
      groupMaskedAccuracy: (0..<groupCount).map { fraction(masked[$0], $0) })
  }

  /// The result for final parameters: accuracy through the masks and their complements,
  /// overall and per group, and sparsity.
  private func measuredResult(_ theta: [Float], metTarget: [Bool], dataset: Dataset, indices: [Int],
                              of run: MaskOptimization, epochsRun: Int, history: [MaskEpochRecord]) throws -> MaskLearningResult {
    let (clean, groupOfIndex, initialL1) = (run.clean, run.groupOfIndex, run.initialL1)
    let groupCount = clean.countPerGroup.count
    let maskSize = masking.maskOperator.maskShape.reduce(1, *)
    let finalMasks = try allMasks(theta, groupCount: groupCount)
    let maskedCorrect = try evaluate(dataset, indices: indices, masks: finalMasks, groupCount: groupCount,
                                     groupOf: { groupOfIndex[$0]! })
    let complement = finalMasks.map { $0 > 0 ? Float(0) : 1 }
    let complementCorrect = try evaluate(dataset, indices: indices, masks: complement, groupCount: groupCount,
                                         groupOf: { groupOfIndex[$0]! })
    func fraction(_ correct: Int, _ k: Int) -> Float {
      clean.countPerGroup[k] == 0 ? 0 : Float(correct) / Float(clean.countPerGroup[k])
    }
    return MaskLearningResult(
      config: config, parameterization: parameterization.name, maskShape: masking.maskOperator.maskShape,
      maskCount: groupCount, masks: finalMasks, theta: theta, imageCount: indices.count,
      cleanAccuracy: Float(clean.correctPerGroup.reduce(0, +)) / Float(indices.count),
      maskedAccuracy: Float(maskedCorrect.reduce(0, +)) / Float(indices.count),
      complementaryAccuracy: Float(complementCorrect.reduce(0, +)) / Float(indices.count),
      sparsity: try meanSparsity(theta, groupCount: groupCount, initialL1: initialL1),
      epochsRun: epochsRun, masksMeetingTarget: metTarget.filter { $0 }.count, history: history,
      groupImageCount: clean.countPerGroup,
      groupCleanAccuracy: (0..<groupCount).map { fraction(clean.correctPerGroup[$0], $0) },
      groupMaskedAccuracy: (0..<groupCount).map { fraction(maskedCorrect[$0], $0) },
      groupSparsity: (0..<groupCount).map { k in
        finalMasks[k * maskSize ..< (k + 1) * maskSize].reduce(0) { $0 + abs($1) } / initialL1
      },
      groupMetTarget: metTarget)
  }

  /// One pass over the clean images: accuracy per group, and what each objective compares against.
  func cleanReference(_ dataset: Dataset, indices: [Int], groupCount: Int,
                      group: (_ index: Int, _ label: Int) -> Int) throws -> (MaskOptimization.CleanReference, [Int: Int]) {
    var clean = MaskOptimization.CleanReference(correctPerGroup: .init(repeating: 0, count: groupCount),
                               countPerGroup: .init(repeating: 0, count: groupCount))
    var groupOfIndex: [Int: Int] = [:]
    try BatchStream(dataset: dataset, order: indices, batchSize: config.batchSize).forEach { idx, batch in
      let logits = try model.logits(batch.images)
      let k = model.classCount
      for (row, index) in idx.enumerated() {
        let z = logits[row * k ..< (row + 1) * k]
        let p = MaskLoss.softmax(z)
        let y = batch.labels[row]
        let prediction = z.indices.max { z[$0] < z[$1] }! - z.startIndex
        let g = group(index, y)
        guard g >= 0 && g < groupCount else {
          throw FourierLensError.message("image \(index) has label \(y), outside the model's \(groupCount) classes")
        }
        groupOfIndex[index] = g
        clean.prediction[index] = prediction
        clean.countPerGroup[g] += 1
        if prediction == y { clean.correctPerGroup[g] += 1 }
        switch config.objective {
        case .paper:
          // log-sum-exp, not −log p[y]: a confidently wrong model has CE far above −log(1e-30),
          // and the masked loss libtorch computes is not clamped either.
          let top = Double(z.max()!)
          let lse = top + log(z.reduce(0.0) { $0 + exp(Double($1) - top) })
          clean.loss[index] = lse - Double(z[z.startIndex + y])
        case .kl:
          clean.loss[index] = MaskLoss.entropy(p)
          clean.probabilities[index] = p
        case .ce: break
        }
      }
    }
    return (clean, groupOfIndex)
  }

  /// The total loss of a dataset mask θ on one batch, and its gradient (for checks).
  func datasetObjective(_ batch: ImageBatch, theta: [Float]) throws -> BatchObjective {
    var run = try startOptimization(InMemoryDataset(batch: batch, format: "batch"), indices: Array(0..<batch.count),
                                    groupCount: 1, group: { _, _ in 0 })
    run.state.theta = theta
    return try run.objective(on: batch)
  }

  /// The loss of one batch and its gradient with respect to θ.
  public struct BatchObjective {
    /// Σ over the groups present of data term + λ·‖M_k‖₁/‖M₀‖₁.
    public var loss: Float
    public var thetaGradient: [Float]
    public var terms: MaskLoss.Terms
    public var presentGroups: [Int]
    /// Logits through the masks, row-major [N, K].
    public var logits: [Float]
  }

  func batchObjective(_ batch: ImageBatch, indices idx: [Int], groups: [Int], theta: [Float], groupCount: Int,
                      clean: MaskOptimization.CleanReference, initialL1: Float) throws -> BatchObjective {
    let p = parameterization.parameterCount
    let maskSize = masking.maskOperator.maskShape.reduce(1, *)
    let masks = try allMasks(theta, groupCount: groupCount)
    let objective: Objective
    switch config.objective {
    case .paper: objective = .crossEntropy(labels: batch.labels)
    case .ce: objective = .crossEntropy(labels: idx.map { clean.prediction[$0]! })
    case .kl: objective = .softCrossEntropy(targets: Array(idx.map { clean.probabilities[$0]! }.joined()))
    }
    let assignment = groupCount == 1 ? nil : groups
    // The model's per-image losses through the masks, and a way to turn ∂L/∂ℓᵢ into ∂L/∂M:
    // inside the model where it prefers (on a GPU), else FFTW here and the model's input gradients.
    let maskedLoss: [Double], logits: [Float]
    let gradientOfMasks: (_ sampleWeights: [Float]) throws -> [Float]
    if let stage = model as? OwnFrequencyStage, stage.prefersOwnFrequencyStage {
      let pass = try stage.maskedPass(batch.images, transform: config.transform, layout: config.layout, masks: masks,
                                      maskCount: groupCount, assignment: assignment, objective: objective)
      maskedLoss = pass.perSampleLoss
      logits = pass.logits
      gradientOfMasks = { try pass.maskGradient(lossWeights: $0) }
    } else {
      let xM = try masking.apply(batch.images, masks: masks, maskCount: groupCount, assignment: assignment)
      // Weights of 1 give each image's own ∂ℓᵢ/∂x (images are independent in eval mode);
      // the loss's derivative with respect to each ℓᵢ scales them below.
      let result = try model.lossAndGradient(xM, objective: objective,
                                             sampleWeights: [Float](repeating: 1, count: idx.count))
      guard result.inputGradient.isFinite else {
        throw FourierLensError.nonFinite("the model's loss or input gradient through the mask")
      }
      maskedLoss = result.perSampleLoss
      logits = result.logits
      gradientOfMasks = { sampleWeights in
        // ∂L/∂x_M in pixel space → ∂L/∂(normalised x_M) = · σ, then the adjoint to ∂L/∂M.
        var g = result.inputGradient
        self.masking.scaleToNormalizedSpace(&g, sampleWeights: sampleWeights)
        return try self.masking.maskOperator.maskGradient(masks: masks, maskCount: groupCount, assignment: assignment,
                                                  outputGradient: g)
      }
    }
    guard maskedLoss.allSatisfy(\.isFinite) else {
      throw FourierLensError.nonFinite("the model's loss or input gradient through the mask")
    }
    let terms = MaskLoss.terms(objective: config.objective, maskedLoss: maskedLoss,
                               cleanLoss: config.objective == .ce ? [] : idx.map { clean.loss[$0]! },
                               group: groups, groupCount: groupCount)
    guard terms.dataTerm.allSatisfy(\.isFinite), terms.sampleWeights.allSatisfy(\.isFinite) else {
      let worst = terms.distortion.max() ?? .nan
      throw FourierLensError.nonFinite(
        "the data term exp(I) overflowed (I = \(worst): the masked loss is far from the clean loss); lower --lr or --lambda")
    }
    var maskGradient = try gradientOfMasks(terms.sampleWeights)
    guard maskGradient.allSatisfy(\.isFinite) else {
      throw FourierLensError.nonFinite("gradient of the loss with respect to the mask")
    }
    let present = (0..<groupCount).filter { terms.groupSizes[$0] > 0 }
    let sparsityScale = config.lambda / initialL1
    var thetaGradient = [Float](repeating: 0, count: theta.count)
    var loss: Float = 0
    for k in present {
      let range = k * maskSize ..< (k + 1) * maskSize
      var l1: Float = 0
      for i in range {
        l1 += abs(masks[i])
        if masks[i] != 0 { maskGradient[i] += sparsityScale * (masks[i] > 0 ? 1 : -1) }
      }
      loss += terms.dataTerm[k] + sparsityScale * l1
      let vjp = try parameterization.vectorJacobianProduct(Array(theta[k * p ..< (k + 1) * p]),
                                                           maskGradient: Array(maskGradient[range]))
      guard vjp.count == p else {
        throw FourierLensError.plugin(library: parameterization.name, reason: "vector-Jacobian product has \(vjp.count) values for \(p) parameters")
      }
      thetaGradient.replaceSubrange(k * p ..< (k + 1) * p, with: vjp)
    }
    return BatchObjective(loss: loss, thetaGradient: thetaGradient, terms: terms, presentGroups: present, logits: logits)
  }

  /// The optimiser step of a batch: Adam on the groups present, then the parameterization's projection.
  func update(_ theta: inout [Float], adam: inout Adam, gradient: [Float], learningRate: Float, groups present: [Int]) throws {
    let p = parameterization.parameterCount
    adam.step(&theta, gradient: gradient, learningRate: learningRate, activeGroups: present)
    for k in present {
      var part = Array(theta[k * p ..< (k + 1) * p])
      try parameterization.project(&part)
      theta.replaceSubrange(k * p ..< (k + 1) * p, with: part)
    }
  }

  // MARK: - Pieces

  private func checkedMask(_ theta: [Float], context: String) throws -> [Float] {
    let m = try parameterization.mask(theta)
    guard m.count == masking.maskOperator.maskShape.reduce(1, *) else {
      throw FourierLensError.plugin(library: parameterization.name, reason: "\(context): \(m.count) values for a mask of shape \(masking.maskOperator.maskShape)")
    }
    guard m.allSatisfy(\.isFinite) else {
      throw FourierLensError.nonFinite("\(context) from mask parameterization '\(parameterization.name)'")
    }
    return m
  }

  func allMasks(_ theta: [Float], groupCount: Int) throws -> [Float] {
    let p = parameterization.parameterCount
    var masks: [Float] = []
    masks.reserveCapacity(groupCount * masking.maskOperator.maskShape.reduce(1, *))
    for k in 0..<groupCount {
      masks.append(contentsOf: try checkedMask(Array(theta[k * p ..< (k + 1) * p]), context: "mask \(k)"))
    }
    return masks
  }

  private func meanSparsity(_ theta: [Float], groupCount: Int, initialL1: Float) throws -> Float {
    let masks = try allMasks(theta, groupCount: groupCount)
    return masks.reduce(0) { $0 + abs($1) } / (initialL1 * Float(groupCount))
  }

  private func countCorrect(_ logits: [Float], labels: [Int], groups: [Int], into correct: inout [Int]) {
    let k = model.classCount
    for row in 0..<labels.count {
      let z = logits[row * k ..< (row + 1) * k]
      if z.indices.max(by: { z[$0] < z[$1] })! - z.startIndex == labels[row] { correct[groups[row]] += 1 }
    }
  }

  private func evaluate(_ dataset: Dataset, indices: [Int], theta: [Float], groupCount: Int,
                        groupOf: (Int) -> Int) throws -> [Int] {
    try evaluate(dataset, indices: indices, masks: allMasks(theta, groupCount: groupCount),
                 groupCount: groupCount, groupOf: groupOf)
  }

  /// Correct predictions per group through the given masks.
  private func evaluate(_ dataset: Dataset, indices: [Int], masks: [Float], groupCount: Int,
                        groupOf: (Int) -> Int) throws -> [Int] {
    var correct = [Int](repeating: 0, count: groupCount)
    try BatchStream(dataset: dataset, order: indices, batchSize: config.batchSize).forEach { idx, batch in
      let groups = idx.map(groupOf)
      let xM = try masking.apply(batch.images, masks: masks, maskCount: groupCount, assignment: groupCount == 1 ? nil : groups)
      countCorrect(try model.logits(xM), labels: batch.labels, groups: groups, into: &correct)
    }
    return correct
  }

  /// The results of consecutive image chunks as one result (the masks back to back, the
  /// accuracies and sparsity weighted by images).
  public static func concatenate(_ parts: [MaskLearningResult]) -> MaskLearningResult {
    var r = parts[0]
    guard parts.count > 1 else { return r }
    let total = parts.reduce(0) { $0 + $1.imageCount }
    func weighted(_ f: (MaskLearningResult) -> Float) -> Float {
      parts.reduce(0) { $0 + f($1) * Float($1.imageCount) } / Float(total)
    }
    r.masks = Array(parts.map(\.masks).joined())
    r.theta = Array(parts.map(\.theta).joined())
    r.maskCount = parts.reduce(0) { $0 + $1.maskCount }
    r.imageCount = total
    r.cleanAccuracy = weighted(\.cleanAccuracy)
    r.maskedAccuracy = weighted(\.maskedAccuracy)
    r.complementaryAccuracy = weighted(\.complementaryAccuracy)
    r.sparsity = weighted(\.sparsity)
    r.epochsRun = parts.map(\.epochsRun).max() ?? 0
    r.masksMeetingTarget = parts.reduce(0) { $0 + $1.masksMeetingTarget }
    r.groupImageCount = parts.flatMap(\.groupImageCount)
    r.groupCleanAccuracy = parts.flatMap(\.groupCleanAccuracy)
    r.groupMaskedAccuracy = parts.flatMap(\.groupMaskedAccuracy)
    r.groupSparsity = parts.flatMap(\.groupSparsity)
    r.groupMetTarget = parts.flatMap(\.groupMetTarget)
    r.history = parts.count == 1 ? r.history : []
    return r
  }
}
