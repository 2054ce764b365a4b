import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// Flips every image of the batch horizontally when the seed is odd; records its seeds.
final class RecordingFlip: Augmentation {
  let name = "recording-flip"
  let summary = "horizontal flip on odd seeds (test)"
  var seeds: [UInt64] = []
  func apply(_ images: inout Tensor, seed: UInt64) throws {
    seeds.append(seed)
    guard seed % 2 == 1 else { return }
    let s = images.shape
    let (h, w) = (s[2], s[3])
    images.data.withUnsafeMutableBufferPointer { p in
      for plane in 0 ..< s[0] * s[1] {
        for y in 0 ..< h {
          let row = plane * h * w + y * w
          for x in 0 ..< w / 2 { p.swapAt(row + x, row + w - 1 - x) }
        }
      }
    }
  }
}

/// One signed-gradient step of size ε in pixel space (FGSM), clamped to [0, 1].
final class SignStepAttack: Attack {
  let name = "sign-step"
  let summary = "FGSM ε = 0.05 (test)"
  var calls = 0
  func perturb(_ batch: ImageBatch, model: Classifier, seed: UInt64) throws -> Tensor {
    calls += 1
    let g = try model.lossAndGradient(batch.images, objective: .crossEntropy(labels: batch.labels)).inputGradient
    var x = batch.images
    for i in x.data.indices { x.data[i] = min(1, max(0, x.data[i] + 0.05 * (g.data[i] > 0 ? 1 : (g.data[i] < 0 ? -1 : 0)))) }
    return x
  }
}

@Suite struct TrainingTests {
  let train = Fixtures.stripes(count: 64, seed: 1)
  let test = Fixtures.stripes(count: 32, seed: 2)

  func configuration(epochs: Int = 3, seed: UInt64 = 5) -> TrainingConfiguration {
    TrainingConfiguration(epochs: epochs, batchSize: 16, learningRate: 0.05, seed: seed)
  }

  func model(seed: UInt64 = 9) throws -> TorchModel {
    try TorchModel.create(architecture: .smallcnn, input: [1, 8, 8], mean: [0.5], std: [0.25], classes: ["left", "right"], seed: seed)
  }

  /// Trains and returns the per-step losses and the summary.
  func run(_ trainer: TorchTrainer, output: String, resume: Bool = false) throws -> ([Double], TrainingSummary) {
    var losses: [Double] = []
    trainer.observer = { event in
      if case let .step(p) = event { losses.append(p.stepLoss) }
    }
    let summary = try trainer.run(train: train, test: test, output: output, resume: resume)
    return (losses, summary)
  }

  @Test func trainingReducesTheLossDeterministically() throws {
    let (a, summaryA) = try run(try TorchTrainer(model: try model(), configuration: configuration()),
                                output: Fixtures.temporaryDirectory("det") + "/a")
    let (b, _) = try run(try TorchTrainer(model: try model(), configuration: configuration()),
                         output: Fixtures.temporaryDirectory("det") + "/b")
    #expect(a.count == 12)
    #expect(a == b, "same seed, different loss sequences")
    let first = summaryA.history.first!.trainLoss, last = summaryA.history.last!.trainLoss
    #expect(last < 0.5 * first, "loss went from \(first) to \(last)")
    #expect((summaryA.bestTestAccuracy ?? 0) >= 0.9)
    let (c, _) = try run(try TorchTrainer(model: try model(), configuration: configuration(seed: 6)),
                         output: Fixtures.temporaryDirectory("det") + "/c")
    #expect(a != c, "another seed gave the same losses")
  }

  @Test func resumedRunEndsWithTheSameWeightsAsAnUninterruptedOne() throws {
    let root = Fixtures.temporaryDirectory("resume")
    let (full, fullSummary) = try run(try TorchTrainer(model: try model(), configuration: configuration()), output: root + "/full")

    let first = try TorchTrainer(model: try model(), configuration: configuration())
    first.maxSteps = 6 // stops in the middle of epoch 2 (4 steps per epoch)
    let (part1, s1) = try run(first, output: root + "/split")
    #expect(s1.interrupted && s1.steps == 6 && s1.epochsCompleted == 1)
    // A differently initialised model: everything must come from the checkpoint.
    let second = try TorchTrainer(model: try model(seed: 1234), configuration: configuration())
    let (part2, s2) = try run(second, output: root + "/split", resume: true)
    #expect(!s2.interrupted && s2.steps == 12)
    #expect(part1 + part2 == full)
    #expect(s2.history == fullSummary.history.map { var r = $0; r.seconds = s2.history[$0.epoch - 1].seconds; r.imagesPerSecond = s2.history[$0.epoch - 1].imagesPerSecond; return r })

    let x = test.batch.images
    let finalFull = try TorchModel.load(from: root + "/full")
    let finalSplit = try TorchModel.load(from: root + "/split")
    #expect(try finalFull.logits(x) == finalSplit.logits(x))
    // The last checkpoints hold identical weights too.
    let ckFull = try TrainingCheckpoint.read(from: root + "/full"), ckSplit = try TrainingCheckpoint.read(from: root + "/split")
    let wFull = try Data(contentsOf: URL(fileURLWithPath: TrainingCheckpoint.directory(root + "/full") + "/" + ckFull.weightsFile))
    let wSplit = try Data(contentsOf: URL(fileURLWithPath: TrainingCheckpoint.directory(root + "/split") + "/" + ckSplit.weightsFile))
    let mFull = try model(seed: 1), mSplit = try model(seed: 2)
    try mFull.loadWeights(file: TrainingCheckpoint.directory(root + "/full") + "/" + ckFull.weightsFile)
    try mSplit.loadWeights(file: TrainingCheckpoint.directory(root + "/split") + "/" + ckSplit.weightsFile)
    #expect(try mFull.logits(x) == mSplit.logits(x))
    #expect(!wFull.isEmpty && !wSplit.isEmpty)
    // Only the newest checkpoint's files remain.
    let files = try FileManager.default.contentsOfDirectory(atPath: TrainingCheckpoint.directory(root + "/split"))
    #expect(Set(files) == ["state.json", ckSplit.weightsFile, ckSplit.optimizerFile])
  }

  @Test func existingOutputNeedsResumeAndResumeNeedsTheSameOptions() throws {
    let out = Fixtures.temporaryDirectory("guard") + "/m"
    let t = try TorchTrainer(model: try model(), configuration: configuration(epochs: 1))
    t.maxSteps = 2
    _ = try run(t, output: out)
    #expect(throws: FourierLensError.self) { _ = try run(try TorchTrainer(model: try model(), configuration: configuration(epochs: 1)), output: out) }
    do {
      _ = try run(try TorchTrainer(model: try model(), configuration: configuration(epochs: 2)), output: out, resume: true)
      Issue.record("resumed with another epoch count")
    } catch let FourierLensError.badSetting(key, reason) {
      #expect(key == .resume && reason.contains("epochs 1 vs 2"))
    }
  }

  @Test func checkpointsInsideAnEpochAlsoResumeExactly() throws {
    let root = Fixtures.temporaryDirectory("mid")
    var config = configuration(epochs: 2)
    config.checkpointEverySteps = 1
    let (full, _) = try run(try TorchTrainer(model: try model(), configuration: config), output: root + "/full")
    let a = try TorchTrainer(model: try model(), configuration: config)
    var stopAfter = 3
    a.shouldStop = { stopAfter -= 1; return stopAfter < 0 }
    // A stop on request throws the one `Interrupted` (as mask learning does), naming the checkpoint.
    var p1: [Double] = []
    a.observer = { event in
      if case let .step(p) = event { p1.append(p.stepLoss) }
    }
    #expect(throws: Interrupted(position: "after step 3", checkpoint: TrainingCheckpoint.directory(root + "/split"))) {
      try a.run(train: train, test: test, output: root + "/split", resume: false)
    }
    #expect(p1.count == 3)
    let (p2, _) = try run(try TorchTrainer(model: try model(seed: 77), configuration: config), output: root + "/split", resume: true)
    #expect(p1 + p2 == full)
  }

  @Test func augmentationsAndAttackRunPerBatchWithDerivedSeeds() throws {
    let flip = RecordingFlip(), attack = SignStepAttack()
    var config = configuration(epochs: 1)
    config.augmentations = [flip.name]
    config.attack = attack.name
    let trainer = try TorchTrainer(model: try model(), configuration: config, augmentations: [flip], attack: attack)
    let (losses, _) = try run(trainer, output: Fixtures.temporaryDirectory("aug") + "/m")
    #expect(flip.seeds.count == 4 && Set(flip.seeds).count == 4 && attack.calls == 4)

    let flip2 = RecordingFlip(), attack2 = SignStepAttack()
    let again = try TorchTrainer(model: try model(), configuration: config, augmentations: [flip2], attack: attack2)
    let (losses2, _) = try run(again, output: Fixtures.temporaryDirectory("aug") + "/m2")
    #expect(flip2.seeds == flip.seeds && losses2 == losses)

    let (plain, _) = try run(try TorchTrainer(model: try model(), configuration: configuration(epochs: 1)),
                             output: Fixtures.temporaryDirectory("aug") + "/plain")
    #expect(plain != losses)
  }

  @Test func epochsDropOnlyASingleLeftoverImage() {
    #expect(TorchTrainer.stepsPerEpoch(count: 10, batchSize: 4) == 3)
    #expect(TorchTrainer.stepsPerEpoch(count: 9, batchSize: 4) == 2)
    #expect(TorchTrainer.stepsPerEpoch(count: 8, batchSize: 4) == 2)
  }

  @Test func oneImageLeftOverIsSkippedNotTrainedOn() throws {
    let data = Fixtures.stripes(count: 17, seed: 4)
    let trainer = try TorchTrainer(model: try model(), configuration: configuration(epochs: 1))
    var sizes: [Int] = []
    trainer.observer = { if case let .step(p) = $0 { sizes.append(p.step) } }
    let summary = try trainer.run(train: data, test: nil, output: Fixtures.temporaryDirectory("left") + "/m", resume: false)
    #expect(summary.steps == 1 && sizes == [1])
  }
}
