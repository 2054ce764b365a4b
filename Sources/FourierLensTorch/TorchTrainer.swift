import Foundation
import FourierLens

/// What the trainer tells its observer while it runs.
public enum TrainingEvent: Sendable {
  /// An epoch (1-based) begins or resumes at step `firstStep` (0-based) of `stepsPerEpoch`.
  case epochStarted(epoch: Int, epochs: Int, firstStep: Int, stepsPerEpoch: Int)
  /// After each step: progress within the run.
  case step(TrainingStepProgress)
  /// After each epoch's evaluation.
  case epoch(EpochRecord, isBest: Bool)
  /// A one-line note (resuming, checkpoint written, ...).
  case note(String)
}

public struct TrainingStepProgress: Sendable {
  /// 1-based epoch and step within it.
  public var epoch: Int
  public var epochs: Int
  public var step: Int
  public var stepsPerEpoch: Int
  /// This step's mean loss over its batch.
  public var stepLoss: Double
  /// Running means over the epoch so far.
  public var loss: Double
  public var accuracy: Double
  public var learningRate: Double
  public var imagesPerSecond: Double
  /// Estimated seconds to the end of the run (training and evaluation).
  public var etaSeconds: Double
}

/// Trains a built-in `TorchModel` on a `Dataset`: shuffled mini-batches, augmentations,
/// optional adversarial training, a one-cycle learning rate, evaluation on the test split
/// after every epoch, the best model (by test accuracy) kept in the output directory, and
/// checkpoints from which `--resume` continues exactly where the run stopped.
///
/// Randomness: epoch e's order comes from derive(derive(seed, 1), e); step s's augmentations
/// from derive(derive(seed, 2), s), its attack from derive(derive(seed, 3), s) and its own
/// libtorch randomness (dropout) from derive(derive(seed, 4), s). Nothing depends on how many
/// times the process was started.
public final class TorchTrainer {
  public let model: TorchModel
  public let configuration: TrainingConfiguration
  public let augmentations: [Augmentation]
  /// When set, each training batch is replaced by its adversarial version (Madry et al. 2018).
  public let attack: Attack?
  /// Receives progress; called on the training thread.
  public var observer: ((TrainingEvent) -> Void)?
  /// Polled before every step; returning true stops the run there: a checkpoint is written
  /// and `Interrupted` thrown.
  public var shouldStop: () -> Bool = { false }
  /// Stop (with a checkpoint) after this many steps in this process (benchmarks, tests,
  /// `--max-steps`): a planned stop, which returns with `TrainingSummary.interrupted` set.
  public var maxSteps: Int?
  /// The training record's entries the trainer does not know (where the data came from);
  /// the run's settings and test accuracy are added to them.
  public var record = TrainingRecord()

  private let optimizer: TorchOptimizer

  public init(model: TorchModel, configuration: TrainingConfiguration, augmentations: [Augmentation] = [],
              attack: Attack? = nil) throws {
    try configuration.validate()
    guard model.description.arch != ModelDirectory.torchScriptArch else {
      throw FourierLensError.badOption(name: "--arch", reason: "TorchScript models cannot be trained here")
    }
    self.model = model
    self.configuration = configuration
    self.augmentations = augmentations
    self.attack = attack
    optimizer = try TorchOptimizer(model: model, kind: configuration.optimizer, learningRate: configuration.learningRate,
                                   momentum: configuration.momentum, weightDecay: configuration.weightDecay)
  }

  /// Optimisation steps per epoch: every batch of the shuffled order, except a last batch
  /// of a single image (BatchNorm cannot normalise one image in training mode).
  static func stepsPerEpoch(count: Int, batchSize: Int) -> Int {
    let batches = (count + batchSize - 1) / batchSize
    return count % batchSize == 1 ? batches - 1 : batches
  }

  /// The description of the model a checkpoint in `output` was training (architecture,
  /// input, normalisation, classes), so that a resumed run rebuilds the same model; nil
  /// when there is no checkpoint.
  public static func checkpointedModel(in output: String) throws -> ModelDescription? {
    guard TrainingCheckpoint.exists(in: output) else { return nil }
    let s = try TrainingCheckpoint.read(from: output)
    return ModelDescription(arch: s.arch, input: s.input, mean: s.mean, std: s.std, classes: s.classes)
  }

  /// Trains into the model directory `output` (best model there, checkpoint in
  /// `output/checkpoint`). With `resume`, continues from the checkpoint if there is one.
  @discardableResult
  public func run(train: Dataset, test: Dataset?, output: String, resume: Bool) throws -> TrainingSummary {
    let c = configuration
    let trainCount = train.info.count
    guard Array(train.info.shape) == model.description.input else {
      throw FourierLensError.shapeMismatch(
        "the training data has images of shape \(train.info.shape), the model expects \(model.description.input)")
    }
    if let test, test.info.shape != model.description.input {
      throw FourierLensError.shapeMismatch(
        "the test data has images of shape \(test.info.shape), the model expects \(model.description.input)")
    }
    guard trainCount >= 2 else {
      throw FourierLensError.badFile(path: record.data ?? "training data", reason: "needs at least 2 images, has \(trainCount)")
    }
    let stepsPerEpoch = TorchTrainer.stepsPerEpoch(count: trainCount, batchSize: c.batchSize)
    let schedule = OneCycleSchedule(maxLR: Float(c.learningRate), totalSteps: stepsPerEpoch * c.epochs,
                                    warmupFraction: Float(c.warmupFraction))

    if resume {  // files a killed run was writing
      AtomicFile.removeStaleTemporaries(in: output)
      AtomicFile.removeStaleTemporaries(in: TrainingCheckpoint.directory(output))
    }
    var state: TrainingCheckpoint
    if resume, TrainingCheckpoint.exists(in: output) {
      state = try TrainingCheckpoint.read(from: output)
      try checkCompatible(state, output: output)
      try state.restore(from: output, weights: model, optimizer: optimizer)
      observer?(.note("resuming at epoch \(state.epoch + 1), step \(state.stepInEpoch) of \(stepsPerEpoch)"))
    } else {
      let existing = [ModelDirectory.descriptionPath(output),
                      (TrainingCheckpoint.directory(output) as NSString).appendingPathComponent(TrainingCheckpoint.stateFile)]
      if !resume, let found = existing.first(where: { FileManager.default.fileExists(atPath: $0) }) {
        throw FourierLensError.badFile(path: found, reason: "already exists; pass --resume to continue that run or choose another --out")
      }
      state = TrainingCheckpoint(
        configuration: c, arch: model.description.arch, input: model.description.input, mean: model.description.mean,
        std: model.description.std, classes: model.description.classes,
        epoch: 0, stepInEpoch: 0, globalStep: 0, epochLossSum: 0, epochCorrect: 0, epochSeen: 0, epochSeconds: 0,
        history: [], bestTestAccuracy: nil, bestEpoch: nil, trainSeconds: 0, trainImages: 0, weightsFile: "", optimizerFile: "")
    }

    var stepsThisProcess = 0
    var cpuSecondsThisProcess = 0.0
    var imagesThisProcess = 0
    var secondsThisProcess = 0.0
    var lastEvaluationSeconds = 0.0
    var stoppedAtStepLimit = false

    epochLoop: while state.epoch < c.epochs {
      // Batches are decoded one ahead on a background queue while the current one trains.
      // Resuming inside an epoch starts at its next step, without reading the batches before it.
      let stream = BatchStream(dataset: train, batchSize: c.batchSize,
                               shuffleSeed: SeededGenerator.derive(SeededGenerator.derive(c.seed, 1), UInt64(state.epoch)),
                               firstBatch: state.stepInEpoch)
      observer?(.epochStarted(epoch: state.epoch + 1, epochs: c.epochs, firstStep: state.stepInEpoch, stepsPerEpoch: stepsPerEpoch))
      while state.stepInEpoch < stepsPerEpoch {
        if shouldStop() {
          try state.write(to: output, weights: model, optimizer: optimizer)
          throw Interrupted(position: "after step \(state.globalStep)", checkpoint: TrainingCheckpoint.directory(output))
        }
        if let maxSteps, stepsThisProcess >= maxSteps {
          stoppedAtStepLimit = true
          break epochLoop
        }
        let started = Date()
        let startedCPU = TorchTrainer.processCPUSeconds()
        guard var batch = try stream.next() else {
          throw FourierLensError.message("the training data ended early (epoch \(state.epoch + 1), step \(state.stepInEpoch + 1))")
        }
        let step = UInt64(state.globalStep)
        // A non-finite value is located where it first appeared: this step's weights are not checkpointed.
        let result = try FourierLensError.locating(
          "epoch \(state.epoch + 1), step \(state.stepInEpoch + 1) of \(stepsPerEpoch) (global step \(state.globalStep + 1))"
        ) { () throws -> TorchOptimizer.StepResult in
          try prepare(&batch, step: step)
          try optimizer.setLearningRate(Double(schedule.learningRate(at: state.globalStep)))
          return try optimizer.step(batch, seed: SeededGenerator.derive(SeededGenerator.derive(c.seed, 4), step))
        }
        let seconds = Date().timeIntervalSince(started)
        cpuSecondsThisProcess += TorchTrainer.processCPUSeconds() - startedCPU

        state.epochLossSum += Double(result.loss) * Double(batch.count)
        state.epochCorrect += result.correct
        state.epochSeen += batch.count
        state.epochSeconds += seconds
        state.trainSeconds += seconds
        state.trainImages += batch.count
        state.stepInEpoch += 1
        state.globalStep += 1
        stepsThisProcess += 1
        imagesThisProcess += batch.count
        secondsThisProcess += seconds

        let perStep = secondsThisProcess / Double(stepsThisProcess)
        let stepsLeft = (c.epochs - state.epoch) * stepsPerEpoch - state.stepInEpoch
        let evaluationsLeft = test == nil ? 0 : c.epochs - state.epoch
        observer?(.step(TrainingStepProgress(
          epoch: state.epoch + 1, epochs: c.epochs, step: state.stepInEpoch, stepsPerEpoch: stepsPerEpoch,
          stepLoss: Double(result.loss), loss: state.epochLossSum / Double(state.epochSeen), accuracy: Double(state.epochCorrect) / Double(state.epochSeen),
          learningRate: Double(schedule.learningRate(at: state.globalStep - 1)),
          imagesPerSecond: Double(state.epochSeen) / max(state.epochSeconds, 1e-9),
          etaSeconds: perStep * Double(stepsLeft) + lastEvaluationSeconds * Double(evaluationsLeft))))

        if let every = c.checkpointEverySteps, state.stepInEpoch % every == 0, state.stepInEpoch < stepsPerEpoch {
          try state.write(to: output, weights: model, optimizer: optimizer)
        }
      }

      // End of epoch: evaluate, keep the best model, checkpoint.
      let evaluationStart = Date()
      let testAccuracy = try test.map { try ClassifierEvaluation.accuracy(of: model, on: $0, batchSize: c.evaluationBatchSize) }
      lastEvaluationSeconds = Date().timeIntervalSince(evaluationStart)
      let epochRecord = EpochRecord(
        epoch: state.epoch + 1, trainLoss: state.epochLossSum / Double(max(1, state.epochSeen)),
        trainAccuracy: Double(state.epochCorrect) / Double(max(1, state.epochSeen)), testAccuracy: testAccuracy,
        learningRate: Double(schedule.learningRate(at: state.globalStep - 1)),
        imagesPerSecond: Double(state.epochSeen) / max(state.epochSeconds, 1e-9), seconds: state.epochSeconds)
      state.history.append(epochRecord)
      let isBest = testAccuracy.map { acc in state.bestTestAccuracy.map { acc > $0 } ?? true } ?? true
      if isBest {
        state.bestTestAccuracy = testAccuracy
        state.bestEpoch = state.epoch + 1
        model.setTrainingRecord(trainingRecord(state, train: train.info.range, test: test?.info.range))
        try model.save(to: output)
      }
      state.epoch += 1
      state.stepInEpoch = 0
      state.epochLossSum = 0
      state.epochCorrect = 0
      state.epochSeen = 0
      state.epochSeconds = 0
      try state.write(to: output, weights: model, optimizer: optimizer)
      observer?(.epoch(epochRecord, isBest: isBest))
    }

    if stoppedAtStepLimit {
      try state.write(to: output, weights: model, optimizer: optimizer)
      observer?(.note("stopped after step \(state.globalStep); checkpoint written to \(TrainingCheckpoint.directory(output)) (continue with --resume)"))
    }
    return TrainingSummary(
      epochsCompleted: state.epoch, steps: state.globalStep, history: state.history, bestEpoch: state.bestEpoch,
      bestTestAccuracy: state.bestTestAccuracy, imagesPerSecond: Double(state.trainImages) / max(state.trainSeconds, 1e-9),
      trainSeconds: state.trainSeconds, interrupted: stoppedAtStepLimit,
      cpuSecondsPerImage: stepsThisProcess == 0 ? nil : cpuSecondsThisProcess / Double(max(1, imagesThisProcess)))
  }

  /// CPU time of the whole process (all threads) in seconds.
  static func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
  }

  /// Applies the augmentations, then replaces the batch by its adversarial version.
  private func prepare(_ batch: inout ImageBatch, step: UInt64) throws {
    let seed = configuration.seed
    if !augmentations.isEmpty {
      let batchSeed = SeededGenerator.derive(SeededGenerator.derive(seed, 2), step)
      var images = batch.images
      for (i, augmentation) in augmentations.enumerated() {
        try augmentation.apply(&images, seed: SeededGenerator.derive(batchSeed, UInt64(i)))
      }
      guard images.shape == batch.images.shape else {
        throw FourierLensError.plugin(library: augmentations.map(\.name).joined(separator: ","),
                                      reason: "an augmentation changed the batch shape from \(batch.images.shape) to \(images.shape)")
      }
      batch.images = images
    }
    if let attack {
      // The model rests in evaluation mode between steps, so the attack sees BatchNorm's
      // running statistics; the training step switches to training mode by itself.
      let adversarial = try attack.perturb(batch, model: model, seed: SeededGenerator.derive(SeededGenerator.derive(seed, 3), step))
      guard adversarial.shape == batch.images.shape else {
        throw FourierLensError.plugin(library: attack.name, reason: "the attack returned shape \(adversarial.shape) for a batch of \(batch.images.shape)")
      }
      batch.images = adversarial
    }
  }

  private func checkCompatible(_ state: TrainingCheckpoint, output: String) throws {
    let path = (TrainingCheckpoint.directory(output) as NSString).appendingPathComponent(TrainingCheckpoint.stateFile)
    guard state.formatVersion == 1 else {
      throw FourierLensError.badFile(path: path, reason: "checkpoint format \(state.formatVersion) is not supported")
    }
    guard state.arch == model.description.arch, state.input == model.description.input, state.classes == model.description.classes,
          state.mean == model.description.mean, state.std == model.description.std else {
      throw FourierLensError.badSetting(
        .resume, reason: "the checkpoint in \(path) is for \(state.arch) \(state.input) with \(state.classes.count) classes, not \(model.description.arch) \(model.description.input) with \(model.description.classes.count)")
    }
    guard state.configuration == configuration else {
      throw FourierLensError.badSetting(
        .resume, reason: "the checkpoint in \(path) was made with other training options (\(differences(state.configuration, configuration))); rerun with the same options")
    }
  }

  private func differences(_ a: TrainingConfiguration, _ b: TrainingConfiguration) -> String {
    var out: [String] = []
    if a.epochs != b.epochs { out.append("epochs \(a.epochs) vs \(b.epochs)") }
    if a.batchSize != b.batchSize { out.append("batch \(a.batchSize) vs \(b.batchSize)") }
    if a.learningRate != b.learningRate { out.append("lr \(a.learningRate) vs \(b.learningRate)") }
    if a.optimizer != b.optimizer { out.append("optimizer \(a.optimizer.rawValue) vs \(b.optimizer.rawValue)") }
    if a.seed != b.seed { out.append("seed \(a.seed) vs \(b.seed)") }
    if a.augmentations != b.augmentations { out.append("augmentations \(a.augmentations) vs \(b.augmentations)") }
    if a.attack != b.attack { out.append("adversarial \(a.attack ?? "none") vs \(b.attack ?? "none")") }
    return out.isEmpty ? "other settings differ" : out.joined(separator: ", ")
  }

  /// The model description's `training` record: how this model was made.
  /// The record saved with the weights: the caller's (data, names) and this run's settings,
  /// with the images it trained on and chose the epoch by.
  private func trainingRecord(_ state: TrainingCheckpoint, train: ImageRange, test: ImageRange?) -> TrainingRecord {
    let c = configuration
    var r = record
    r.trainRange = train
    r.testRange = test
    r.epochs = c.epochs
    r.epoch = state.epoch + 1
    r.batch = c.batchSize
    r.lr = c.learningRate
    r.optimizer = c.optimizer
    r.weightDecay = c.weightDecay
    r.schedule = "one-cycle (warm-up \(c.warmupFraction), cosine)"
    r.seed = c.seed
    r.augment = c.augmentations.isEmpty ? nil : c.augmentations.joined(separator: ",")
    r.adversarial = c.attack
    r.testAccuracy = state.bestTestAccuracy
    return r
  }
}
