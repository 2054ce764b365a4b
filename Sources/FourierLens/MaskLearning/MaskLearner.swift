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
  /// Called at the end of every epoch of a `dataset`/`class` run with the state to save.
  public var checkpoint: ((MaskLearnerState) throws -> Void)?
  /// Print progress on standard error.
  public var showsProgress = true
  /// Polled before every optimisation step; returning true stops the run there: the
  /// state is handed to `checkpoint` (dataset and class scopes) and `Interrupted` is thrown.
  public var shouldStop: () -> Bool = { false }

  /// Thrown when `shouldStop` ended a run; `checkpointed` tells whether a state was saved.
  public struct Interrupted: Error, CustomStringConvertible {
    public var epoch: Int
    public var step: Int
    public var stepsPerEpoch: Int
    public var checkpointed: Bool
    public var description: String { "stopped before step \(step + 1) of \(stepsPerEpoch) in epoch \(epoch)" }
  }

  private let normalization: Normalization
  /// σ of every channel (a single std applies to all).
  private let channelStd: [Float]
  let maskOperator: MaskOperator
  private let imageShape: [Int]

  public init(model: Classifier, parameterization: MaskParameterization, config: MaskLearningConfig) throws {
    try config.validate()
    self.model = model
    self.parameterization = parameterization
    self.config = config
    let d = model.description
    guard d.input.count == 3 else {
      throw FourierLensError.shapeMismatch("model input must be [C, H, W], got \(d.input)")
    }
    imageShape = d.input
    guard d.std.count == 1 || d.std.count == d.input[0] else {
      throw FourierLensError.shapeMismatch("the model has \(d.std.count) normalisation stds for \(d.input[0]) channels")
    }
    normalization = try Normalization(mean: d.mean, std: d.std)
    channelStd = (0..<d.input[0]).map { d.std.count == 1 ? d.std[0] : d.std[$0] }
    maskOperator = try MaskOperator(kind: config.transform, channels: d.input[0], height: d.input[1],
                                    width: d.input[2], layout: config.layout)
    guard parameterization.maskShape == maskOperator.maskShape else {
      throw FourierLensError.shapeMismatch(
        "mask parameterization '\(parameterization.name)' gives masks of shape \(parameterization.maskShape), "
          + "the model's input \(d.input) with layout \(config.layout.rawValue) needs \(maskOperator.maskShape)")
    }
  }

  /// Learns the masks of `config.scope` on every image of `dataset`.
  ///
  /// `warmStart` (θ of every mask back to back; dataset and class scopes) starts the run from
  /// those parameters instead of the parameterization's initial ones, with a fresh optimiser
  /// and schedule: a regularisation path continues from the mask of the previous λ this way.
  /// A checkpoint (`state`) takes precedence, since it already holds where the run was.
  public func learn(on dataset: Dataset, resumeFrom state: MaskLearnerState? = nil,
                    warmStart: [Float]? = nil) throws -> MaskLearningResult {
    guard dataset.info.shape == imageShape else {
      throw FourierLensError.shapeMismatch("the data's images are \(dataset.info.shape), the model expects \(imageShape)")
    }
    guard dataset.info.count > 0 else { throw FourierLensError.message("the data has no images") }
    if let state, state.config != config {
      throw FourierLensError.message("the checkpoint was written with another configuration; start afresh without --resume")
    }
    if warmStart != nil, config.scope == .image {
      throw FourierLensError.badOption(name: "--scope", reason: "image masks cannot be warm-started")
    }
    switch config.scope {
    case .dataset:
      return try learnGroups(dataset, indices: Array(0..<dataset.info.count), groupCount: 1,
                             group: { _, _ in 0 }, resumeFrom: state, warmStart: warmStart)
    case .class:
      return try learnGroups(dataset, indices: Array(0..<dataset.info.count), groupCount: dataset.info.classes.count,
                             group: { _, label in label }, resumeFrom: state, warmStart: warmStart)
    case .image:
      // Images are optimised `batchSize` at a time; each chunk is its own small run.
      var parts: [MaskLearningResult] = []
      let n = dataset.info.count
      for start in stride(from: 0, to: n, by: config.batchSize) {
        let indices = Array(start..<min(n, start + config.batchSize))
        let position = Dictionary(uniqueKeysWithValues: indices.enumerated().map { ($1, $0) })
        parts.append(try learnGroups(dataset, indices: indices, groupCount: indices.count,
                                     group: { index, _ in position[index]! }, resumeFrom: nil, warmStart: nil))
      }
      return Self.concatenate(parts)
    }
  }

  // MARK: - The optimisation of one set of groups

  /// Per-image facts about the clean model, computed once: the model is frozen.
  struct CleanReference {
    var loss: [Int: Float] = [:]       // CE to the label (`paper`) or entropy of the prediction (`kl`)
    var prediction: [Int: Int] = [:]
    var probabilities: [Int: [Float]] = [:]  // `kl` only
    var correctPerGroup: [Int]
    var countPerGroup: [Int]
  }

  private func learnGroups(_ dataset: Dataset, indices: [Int], groupCount: Int,
                           group: (_ index: Int, _ label: Int) -> Int,
                           resumeFrom state: MaskLearnerState?, warmStart: [Float]?) throws -> MaskLearningResult {
    let batchSize = config.batchSize
    let batchesPerEpoch = (indices.count + batchSize - 1) / batchSize
    let label = config.scope == .image ? "mask \(indices.first!)–\(indices.last!)" : "mask"

    let (clean, groupOfIndex) = try cleanReference(dataset, indices: indices, groupCount: groupCount, group: group)
    let cleanAccuracy = Float(clean.correctPerGroup.reduce(0, +)) / Float(indices.count)

    // Parameters, optimiser, schedule.
    let theta0 = try parameterization.initialParameters()
    guard theta0.count == parameterization.parameterCount, theta0.allSatisfy(\.isFinite) else {
      throw FourierLensError.plugin(library: parameterization.name, reason: "initial parameters are not \(parameterization.parameterCount) finite numbers")
    }
    let p = theta0.count
    let initialMask = try checkedMask(theta0, context: "initial mask")
    let initialL1 = initialMask.reduce(0) { $0 + abs($1) }
    guard initialL1 > 0 else { throw FourierLensError.plugin(library: parameterization.name, reason: "the initial mask is all zeros") }

    if let warmStart {
      guard warmStart.count == p * groupCount, warmStart.allSatisfy(\.isFinite) else {
        throw FourierLensError.message("a warm start needs \(p * groupCount) finite parameters (\(groupCount) masks of \(p)), got \(warmStart.count)")
      }
    }
    var theta = state?.theta ?? warmStart ?? Array([[Float]](repeating: theta0, count: groupCount).joined())
    var adam = state?.adam ?? Adam(parameterCount: p * groupCount, groups: groupCount)
    var kept: [[Float]] = state?.keptTheta ?? .init(repeating: [], count: groupCount)
    var previousSparsity = state?.previousSparsity
    var calmEpochs = state?.calmEpochs ?? 0
    var history = state?.history ?? []
    let schedule = OneCycleSchedule(maxLR: config.learningRate, totalSteps: config.epochs * batchesPerEpoch,
                                    warmupFraction: config.warmupFraction)
    let progress = ProgressReporter(label: label, total: (config.epochs - (state?.nextEpoch ?? 0)) * indices.count,
                                    unit: "img", quiet: !showsProgress || config.scope == .image)
    var epoch = state?.nextEpoch ?? 0
    var epochsRun = epoch
    // Resuming inside an epoch: its first steps are done and their sums kept.
    var resumedSteps = state?.stepInEpoch ?? 0

    while epoch < config.epochs {
      let epochStart = DispatchTime.now()
      var order = indices
      if batchesPerEpoch > 1 {
        var rng = SeededGenerator(seed: SeededGenerator.derive(config.seed, UInt64(epoch)))
        order.shuffle(using: &rng)
      }
      var dataSum = 0.0, distortionSum = 0.0, batches = 0
      if resumedSteps > 0, let state {
        (dataSum, distortionSum, batches) = (state.epochDataSum ?? 0, state.epochDistortionSum ?? 0, resumedSteps)
      }
      resumedSteps = 0
      var evaluatedTheta = theta  // θ whose accuracy the epoch's evaluation measures
      var maskedCorrect = [Int](repeating: 0, count: groupCount)
      var step = epoch * batchesPerEpoch + batches
      try forEachBatch(dataset, order: order, skipping: batches) { idx, batch in
        if shouldStop() {
          var saved = false
          if let checkpoint, config.scope != .image {
            try checkpoint(MaskLearnerState(
              nextEpoch: epoch, theta: theta, adam: adam, keptTheta: kept, previousSparsity: previousSparsity,
              calmEpochs: calmEpochs, history: history, config: config,
              stepInEpoch: batches > 0 ? batches : nil, epochDataSum: batches > 0 ? dataSum : nil,
              epochDistortionSum: batches > 0 ? distortionSum : nil))
            saved = true
          }
          throw Interrupted(epoch: epoch + 1, step: batches, stepsPerEpoch: batchesPerEpoch, checkpointed: saved)
        }
        let groups = idx.map { groupOfIndex[$0]! }
        let b: BatchObjective
        do {
          b = try batchObjective(batch, indices: idx, groups: groups, theta: theta, groupCount: groupCount,
                                 clean: clean, initialL1: initialL1)
        } catch FourierLensError.nonFinite(let what) {
          throw FourierLensError.nonFinite("at epoch \(epoch + 1), batch \(batches + 1) of \(batchesPerEpoch): \(what)")
        } catch FourierLensError.plugin(let library, let reason) {
          throw FourierLensError.plugin(library: library, reason: "\(reason) (at epoch \(epoch + 1), batch \(batches + 1) of \(batchesPerEpoch))")
        }
        guard b.thetaGradient.allSatisfy(\.isFinite) else {
          throw FourierLensError.nonFinite("at epoch \(epoch + 1), batch \(batches + 1) of \(batchesPerEpoch): gradient of the mask parameters")
        }
        if batchesPerEpoch == 1 {
          // The whole set is one batch: this forward pass already measures θ before the step.
          evaluatedTheta = theta
          countCorrect(b.logits, labels: batch.labels, groups: groups, into: &maskedCorrect)
        }
        let present = b.presentGroups
        let terms = b.terms
        try update(&theta, adam: &adam, gradient: b.thetaGradient, learningRate: schedule.learningRate(at: step),
                   groups: present)
        dataSum += present.reduce(0.0) { $0 + Double(terms.dataTerm[$1]) } / Double(max(1, present.count))
        distortionSum += present.reduce(0.0) { $0 + Double(terms.distortion[$1]) } / Double(max(1, present.count))
        batches += 1
        step += 1
        progress.advance(by: idx.count, metrics: String(format: "epoch %d/%d  I %.4f", epoch + 1, config.epochs,
                                                        distortionSum / Double(batches)))
      }
      let seconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart.uptimeNanoseconds) / 1e9
      if batchesPerEpoch > 1 {
        evaluatedTheta = theta
        maskedCorrect = try evaluate(dataset, indices: indices, theta: theta, groupCount: groupCount,
                                     groupOf: { groupOfIndex[$0]! })
      }
      // Keep each group's mask once its accuracy target is met.
      for k in 0..<groupCount where clean.countPerGroup[k] > 0 {
        let cleanAcc = Float(clean.correctPerGroup[k]) / Float(clean.countPerGroup[k])
        let maskedAcc = Float(maskedCorrect[k]) / Float(clean.countPerGroup[k])
        if maskedAcc >= config.accuracyTarget * cleanAcc {
          kept[k] = Array(evaluatedTheta[k * p ..< (k + 1) * p])
        }
      }
      let sparsity = try meanSparsity(evaluatedTheta, groupCount: groupCount, initialL1: initialL1)
      let dataMean = Float(dataSum / Double(max(1, batches)))
      history.append(MaskEpochRecord(
        epoch: epoch + 1, learningRate: schedule.learningRate(at: step - 1), dataTerm: dataMean,
        distortion: Float(distortionSum / Double(max(1, batches))), sparsity: sparsity,
        loss: dataMean + config.lambda * sparsity,
        maskedAccuracy: Float(maskedCorrect.reduce(0, +)) / Float(indices.count),
        imagesPerSecond: Float(Double(indices.count) / max(seconds, 1e-9))))
      // Stopping rule: every group has a kept mask and the sparsity term has settled.
      let allKept = (0..<groupCount).allSatisfy { clean.countPerGroup[$0] == 0 || !kept[$0].isEmpty }
      if let previous = previousSparsity, abs(sparsity - previous) <= config.tolerance { calmEpochs += 1 } else { calmEpochs = 0 }
      previousSparsity = sparsity
      epoch += 1
      epochsRun = epoch
      if let checkpoint, config.scope != .image {
        try checkpoint(MaskLearnerState(nextEpoch: epoch, theta: theta, adam: adam, keptTheta: kept,
                                        previousSparsity: previousSparsity, calmEpochs: calmEpochs,
                                        history: history, config: config))
      }
      if allKept && calmEpochs >= config.patience { break }
    }
    progress.finish()

    // The result: kept masks where the target was met, the last iterate elsewhere.
    var finalTheta = theta
    var metTarget = [Bool](repeating: false, count: groupCount)
    for k in 0..<groupCount where !kept[k].isEmpty {
      finalTheta.replaceSubrange(k * p ..< (k + 1) * p, with: kept[k])
      metTarget[k] = true
    }
    return try measuredResult(finalTheta, metTarget: metTarget, dataset: dataset, indices: indices,
                              clean: clean, groupOfIndex: groupOfIndex, initialL1: initialL1,
                              epochsRun: epochsRun, history: history)
  }

  /// Measures given parameters (every mask of `config.scope`, back to back) on `dataset`
  /// without learning: a mask is counted as meeting the target when its masked accuracy is
  /// ≥ `config.accuracyTarget` × its clean accuracy. A retention search assembles masks
  /// from several λ and measures the assembly this way.
  public func measure(theta: [Float], on dataset: Dataset) throws -> MaskLearningResult {
    guard config.scope != .image else {
      throw FourierLensError.badOption(name: "--scope", reason: "image masks are measured while they are learned")
    }
    let indices = Array(0..<dataset.info.count)
    let groupCount = config.scope == .dataset ? 1 : dataset.info.classes.count
    let (clean, groupOfIndex) = try cleanReference(dataset, indices: indices, groupCount: groupCount,
                                                   group: { _, label in config.scope == .dataset ? 0 : label })
    let p = parameterization.parameterCount
    guard theta.count == p * groupCount else {
      throw FourierLensError.message("\(theta.count) parameters for \(groupCount) masks of \(p)")
    }
    let initialL1 = try checkedMask(parameterization.initialParameters(), context: "initial mask").reduce(0) { $0 + abs($1) }
    var result = try measuredResult(theta, metTarget: [], dataset: dataset, indices: indices, clean: clean,
                                    groupOfIndex: groupOfIndex, initialL1: initialL1, epochsRun: 0, history: [])
    result.groupMetTarget = (0..<groupCount).map {
      clean.countPerGroup[$0] > 0 && result.groupMaskedAccuracy[$0] >= config.accuracyTarget * result.groupCleanAccuracy[$0]
    }
    result.masksMeetingTarget = result.groupMetTarget.filter { $0 }.count
    return result
  }

  /// The result for final parameters: accuracy through the masks and their complements,
  /// overall and per group, and sparsity.
  private func measuredResult(_ theta: [Float], metTarget: [Bool], dataset: Dataset, indices: [Int],
                              clean: CleanReference, groupOfIndex: [Int: Int], initialL1: Float,
                              epochsRun: Int, history: [MaskEpochRecord]) throws -> MaskLearningResult {
    let groupCount = clean.countPerGroup.count
    let maskSize = maskOperator.maskShape.reduce(1, *)
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
      config: config, parameterization: parameterization.name, maskShape: maskOperator.maskShape,
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
                      group: (_ index: Int, _ label: Int) -> Int) throws -> (CleanReference, [Int: Int]) {
    var clean = CleanReference(correctPerGroup: .init(repeating: 0, count: groupCount),
                               countPerGroup: .init(repeating: 0, count: groupCount))
    var groupOfIndex: [Int: Int] = [:]
    try forEachBatch(dataset, order: indices) { idx, batch in
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
          clean.loss[index] = Float(lse - Double(z[z.startIndex + y]))
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
    let dataset = InMemoryDataset(batch: batch, format: "batch")
    let indices = Array(0..<batch.count)
    let (clean, _) = try cleanReference(dataset, indices: indices, groupCount: 1, group: { _, _ in 0 })
    let initialL1 = try checkedMask(parameterization.initialParameters(), context: "initial mask").reduce(0) { $0 + abs($1) }
    return try batchObjective(batch, indices: indices, groups: [Int](repeating: 0, count: batch.count), theta: theta,
                              groupCount: 1, clean: clean, initialL1: initialL1)
  }

  /// The loss of one batch and its gradient with respect to θ.
  struct BatchObjective {
    /// Σ over the groups present of data term + λ·‖M_k‖₁/‖M₀‖₁.
    var loss: Float
    var thetaGradient: [Float]
    var terms: MaskLoss.Terms
    var presentGroups: [Int]
    /// Logits through the masks, row-major [N, K].
    var logits: [Float]
  }

  func batchObjective(_ batch: ImageBatch, indices idx: [Int], groups: [Int], theta: [Float], groupCount: Int,
                      clean: CleanReference, initialL1: Float) throws -> BatchObjective {
    let p = parameterization.parameterCount
    let maskSize = maskOperator.maskShape.reduce(1, *)
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
    let maskedLoss: [Float], logits: [Float]
    let gradientOfMasks: (_ sampleWeights: [Float]) throws -> [Float]
    if let stage = model as? OwnFrequencyStage, stage.prefersOwnFrequencyStage {
      let pass = try stage.maskedPass(batch.images, transform: config.transform, layout: config.layout, masks: masks,
                                      maskCount: groupCount, assignment: assignment, objective: objective)
      maskedLoss = pass.perSampleLoss.map { Float($0) }
      logits = pass.logits
      gradientOfMasks = { try pass.maskGradient(lossWeights: $0) }
    } else {
      let xM = try maskedInput(batch.images, masks: masks, groupCount: groupCount, groups: groups)
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
        self.scaleGradient(&g, sampleWeights: sampleWeights)
        return try self.maskOperator.maskGradient(masks: masks, maskCount: groupCount, assignment: assignment,
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

  /// x_M in pixel space: normalise, mask in the frequency domain, de-normalise.
  func maskedInput(_ images: Tensor, masks: [Float], groupCount: Int, groups: [Int]) throws -> Tensor {
    var normalised = images
    try normalization.normalize(&normalised)
    try maskOperator.setInput(normalised)
    var xM = try maskOperator.apply(masks: masks, maskCount: groupCount, assignment: groupCount == 1 ? nil : groups)
    try normalization.denormalize(&xM)
    return xM
  }

  /// Multiplies image i's gradient by wᵢ and by σ of its channel (pixel → normalised space).
  private func scaleGradient(_ g: inout Tensor, sampleWeights: [Float]) {
    let c = imageShape[0], plane = imageShape[1] * imageShape[2]
    g.data.withUnsafeMutableBufferPointer { buf in
      for i in 0..<sampleWeights.count {
        for ch in 0..<c {
          let s = sampleWeights[i] * channelStd[ch]
          let base = (i * c + ch) * plane
          for j in base ..< base + plane { buf[j] *= s }
        }
      }
    }
  }

  private func checkedMask(_ theta: [Float], context: String) throws -> [Float] {
    let m = try parameterization.mask(theta)
    guard m.count == maskOperator.maskShape.reduce(1, *) else {
      throw FourierLensError.plugin(library: parameterization.name, reason: "\(context): \(m.count) values for a mask of shape \(maskOperator.maskShape)")
    }
    guard m.allSatisfy(\.isFinite) else {
      throw FourierLensError.nonFinite("\(context) from mask parameterization '\(parameterization.name)'")
    }
    return m
  }

  func allMasks(_ theta: [Float], groupCount: Int) throws -> [Float] {
    let p = parameterization.parameterCount
    var masks: [Float] = []
    masks.reserveCapacity(groupCount * maskOperator.maskShape.reduce(1, *))
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
    try forEachBatch(dataset, order: indices) { idx, batch in
      let groups = idx.map(groupOf)
      let xM = try maskedInput(batch.images, masks: masks, groupCount: groupCount, groups: groups)
      countCorrect(try model.logits(xM), labels: batch.labels, groups: groups, into: &correct)
    }
    return correct
  }

  /// Visits `order` in batches of `config.batchSize`, loading the next batch on a
  /// background queue while the current one is processed.
  private func forEachBatch(_ dataset: Dataset, order: [Int], skipping skipped: Int = 0,
                           _ body: ([Int], ImageBatch) throws -> Void) throws {
    let chunks = stride(from: 0, to: order.count, by: config.batchSize).dropFirst(skipped).map {
      Array(order[$0 ..< min(order.count, $0 + config.batchSize)])
    }
    let loader = PrefetchingLoader(dataset: dataset, chunks: chunks)
    for chunk in chunks {
      try body(chunk, try loader.next())
    }
  }

  private static func concatenate(_ parts: [MaskLearningResult]) -> MaskLearningResult {
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

/// Loads batches of a dataset one step ahead on a background queue.
final class PrefetchingLoader {
  private let dataset: Dataset
  private let chunks: [[Int]]
  private var position = 0
  private let queue = DispatchQueue(label: "fourierlens.prefetch")
  private var pending: DispatchWorkItem?
  private var pendingResult: Result<ImageBatch, Error>?

  init(dataset: Dataset, chunks: [[Int]]) {
    self.dataset = dataset
    self.chunks = chunks
    schedule()
  }

  private func schedule() {
    guard position < chunks.count else { return }
    let indices = chunks[position]
    let dataset = self.dataset
    let item = DispatchWorkItem { [self] in
      self.pendingResult = Result { try dataset.batch(indices) }
    }
    pending = item
    queue.async(execute: item)
  }

  func next() throws -> ImageBatch {
    pending?.wait()
    let result = pendingResult!
    pendingResult = nil
    position += 1
    schedule()
    return try result.get()
  }
}
