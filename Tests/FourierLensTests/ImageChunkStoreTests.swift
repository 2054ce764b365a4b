import Foundation
@testable import FourierLens
import Testing

/// Image-scope masks learned chunk by chunk into an `ImageChunkStore`, by separate jobs
/// (Slurm array tasks) and after an interruption, assemble into the bytes of one run.
@Suite struct ImageChunkStoreTests {
  /// Counts how often the learner asked whether to stop (once before every optimisation step).
  final class StepCounter: @unchecked Sendable {
    var steps = 0
    var stopAfter: Int?
    func poll() -> Bool {
      steps += 1
      return stopAfter.map { steps > $0 } ?? false
    }
  }

  static func job(_ data: InMemoryDataset, _ model: LinearSoftmaxClassifier, store: String?, counter: StepCounter? = nil) -> MaskLearningJob {
    var config = MaskLearningConfig.singleImageDefaults()
    config.epochs = 6
    config.batchSize = 4  // 10 images: chunks of 4, 4 and 2
    var job = MaskLearningJob(model: model, modelName: "planted", dataset: data, dataName: "planted", paramSpec: "identity",
                              makeParameterization: { IdentityMask(shape: [8, 8]) }, config: config)
    job.seeds = 2
    job.showsProgress = false
    job.imageChunks = store.map { ImageChunkStore(directory: $0) }
    if let counter { job.shouldStop = { counter.poll() } }
    return job
  }

  static func files(under dir: String) -> [String] {
    (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter {
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
    }.sorted()
  }

  static func expectSameBytes(_ a: String, _ b: String) throws {
    let names = files(under: a)
    #expect(names.contains("mask.npy") && names.contains("seeds/1/theta.npy") && names.contains("summary.json"), "\(names)")
    #expect(files(under: b) == names)
    for name in names {
      #expect(FileManager.default.contents(atPath: b + "/" + name) == FileManager.default.contents(atPath: a + "/" + name),
              "\(name) differs")
    }
  }

  @Test func chunksLearnedBySeparateJobsAssembleIntoTheBytesOfOneRun() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 10)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.job(data, model, store: nil).run(to: root + "/single")

    let store = root + "/store"
    // Three "array tasks": seed 0 in two shards (the second reaching past the data's end), seed 1 in one.
    #expect(try Self.job(data, model, store: store).learnImageChunks(ofSeed: 0, chunks: 0..<2) == 2)
    #expect(try Self.job(data, model, store: store).learnImageChunks(ofSeed: 0, chunks: 2..<4) == 1)
    #expect(try Self.job(data, model, store: store).learnImageChunks(ofSeed: 1, chunks: 0..<4) == 3)
    #expect(ImageChunkStore(directory: store).imageCount == 10)
    // The merge learns nothing (no optimisation step asks whether to stop) and writes the same bytes.
    let counter = StepCounter()
    var merge = Self.job(data, model, store: store, counter: counter)
    merge.resume = true
    try merge.run(to: root + "/sharded")
    #expect(counter.steps == 0, "the merge learned \(counter.steps) steps itself")
    try Self.expectSameBytes(root + "/single", root + "/sharded")
  }

  @Test func aStoppedRunKeepsItsFinishedChunksAndContinuesToTheSameBytes() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 10)
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("chunks-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.job(data, model, store: nil).run(to: root + "/single")

    let store = root + "/store", c = MaskLearningConfig.singleImageDefaults()
    // Stopped in the second chunk of seed 0 (6 steps per chunk): the first chunk is kept.
    let stopping = StepCounter()
    stopping.stopAfter = 8
    #expect(throws: Interrupted.self) { try Self.job(data, model, store: store, counter: stopping).run(to: root + "/resumed") }
    var seed0 = c
    (seed0.epochs, seed0.batchSize) = (6, 4)
    let kept = ImageChunkStore(directory: store)
    #expect(kept.contains(chunk: 0, config: seed0) && !kept.contains(chunk: 1, config: seed0))
    // A chunk kept for another configuration is not used.
    var other = seed0
    other.lambda = 0.5
    #expect(!kept.contains(chunk: 0, config: other) && kept.load(chunk: 0, config: other) == nil)

    let counter = StepCounter()
    var again = Self.job(data, model, store: store, counter: counter)
    again.resume = true
    try again.run(to: root + "/resumed")
    #expect(counter.steps == 5 * 6, "continuing should learn the 5 chunks not kept, 6 steps each, not \(counter.steps) steps")
    try Self.expectSameBytes(root + "/single", root + "/resumed")
  }
}
