import Foundation
@testable import FourierLens
@testable import FourierLensTorch
import Testing

/// The `embedding` probe on planted image masks: each class keeps its own four frequencies
/// on top of a common level and per-pixel noise, so the masks are linearly separable by class
/// (the linear probe must be right on almost every held-out image) while shuffled labels
/// leave nothing to learn (the control must sit near chance, 1/K).
@Suite struct MaskEmbeddingProbeTests {
  static let classes = 4, side = 8

  /// n image masks (8×8), image i of class i mod 4, and a dataset with those labels.
  static func planted(count n: Int, seed: UInt64 = 11) -> (mask: LearnedMask, data: InMemoryDataset) {
    var rng = SeededGenerator(seed: seed)
    let plane = side * side
    var values: [Float] = []
    for i in 0..<n {
      let c = i % classes
      values += (0..<plane).map { j in 0.2 + 0.1 * rng.nextUniform() + (j / 4 % classes == c && j < 16 ? 0.6 : 0) }
    }
    var config = MaskLearningConfig.singleImageDefaults()
    config.scope = .image
    let result = MaskLearningResult(config: config, parameterization: "free", maskShape: [side, side], maskCount: n,
                                    masks: values, theta: values, imageCount: n, cleanAccuracy: 1, maskedAccuracy: 1,
                                    complementaryAccuracy: 0, sparsity: 0.3, epochsRun: 1, masksMeetingTarget: n, history: [])
    let mask = LearnedMask(allValues: values, summary: MaskSummary(result: result, param: "free", model: "m", data: "d"),
                           directory: "planted-masks")
    let labels = (0..<n).map { $0 % classes }
    let data = InMemoryDataset(batch: ImageBatch(images: Tensor(zeros: [n, 1, side, side]), labels: labels,
                                                 classNames: (0..<classes).map { "class\($0)" }), format: "test")
    return (mask, data)
  }

  static func context(_ mask: LearnedMask, _ data: InMemoryDataset) throws -> ProbeContext {
    ProbeContext(model: try Fixtures.smallModel(size: side, classes: classes), dataset: data, mask: mask, seed: 5,
                 showsProgress: false)
  }

  @Test func separableMasksAreClassifiedAndShuffledLabelsStayAtChance() throws {
    let (mask, data) = Self.planted(count: 160)
    let probe = try MaskEmbeddingProbe(analysis: TorchLinearAnalysis(), seeds: 5)
    let out = try probe.run(try Self.context(mask, data))
    let linear = try #require(out.json["linear_probe"])
    let accuracy = try #require(linear["accuracy"]?["mean"]?.doubleValue)
    let shuffled = try #require(linear["shuffled_accuracy"]?["mean"]?.doubleValue)
    #expect(accuracy > 0.98, "separable masks: \(accuracy)")
    #expect(abs(shuffled - 0.25) < 0.12, "shuffled labels: \(shuffled), chance 0.25")
    #expect(linear["chance"]?.doubleValue == 0.25)
    // Stratified: round(0.3 · 40) = 12 of each class's 40 images are held out.
    #expect(linear["test_images"]?.doubleValue == 48 && linear["train_images"]?.doubleValue == 112)
    let interval = linear["accuracy"]?["ci"]?.arrayValue ?? []
    let ci = interval.compactMap { $0.doubleValue }
    #expect(ci.count == 2 && ci[0] <= accuracy && accuracy <= ci[1])
    #expect(linear["accuracy"]?["per_seed"]?.arrayValue?.count == 5)

    // PCA: the class structure dominates the noise, so two components explain most variance,
    // and the class means are far apart in the plane relative to the spread within a class.
    let explainedValues = out.json["pca"]?["explained_variance"]?.arrayValue ?? []
    let explained = explainedValues.compactMap { $0.doubleValue }
    #expect(explained.count == 2 && explained[0] >= explained[1] && explained[0] + explained[1] > 0.6, "\(explained)")
    let coordinates = try #require(out.arrays["coordinates"])
    #expect(coordinates.shape == [160, 2] && out.arrays["components"]?.shape == [2, 8, 8])
    #expect(out.arrays["explained_variance"]?.data.map(Double.init) == explained.map { Double(Float($0)) })
    #expect(out.table.rows.count == 160 && out.table.rows[5][1] == "class1")
  }

  @Test func theSameSeedGivesTheSameNumbers() throws {
    let (mask, data) = Self.planted(count: 40)
    let probe = try MaskEmbeddingProbe(analysis: TorchLinearAnalysis(), logFeatures: true, seeds: 3)
    let a = try probe.run(try Self.context(mask, data)), b = try probe.run(try Self.context(mask, data))
    #expect(a.json == b.json && a.json["features"]?.stringValue == "log_mask")
  }

  @Test func usesTheImagesThatHaveBothAMaskAndALabel() throws {
    let (mask, _) = Self.planted(count: 40)
    let (_, fewer) = Self.planted(count: 24)
    let out = try MaskEmbeddingProbe(analysis: TorchLinearAnalysis(), seeds: 2).run(try Self.context(mask, fewer))
    #expect(out.json["images"]?.doubleValue == 24 && out.arrays["coordinates"]?.shape == [24, 2])
  }

  @Test func aDatasetMaskIsRefusedNamingItsDirectory() throws {
    var (mask, data) = Self.planted(count: 1)
    mask.summary.scope = .dataset
    let probe = try MaskEmbeddingProbe(analysis: TorchLinearAnalysis())
    let error = #expect(throws: FourierLensError.self) { try probe.run(try Self.context(mask, data)) }
    #expect("\(error!)".contains("planted-masks") && "\(error!)".contains("--scope image"), "\(error!)")
  }

  @Test func badOptionsAreRefusedBeforeAnyWork() throws {
    for spec in ["embedding:test=1", "embedding:seeds=0", "embedding:l2=-1", "embedding:log=maybe", "embedding:k=2"] {
      #expect(throws: FourierLensError.self, "\(spec)") {
        _ = try ProbeFactory.make(spec, host: ProbeHost(registry: PluginRegistry(), linearAnalysis: TorchLinearAnalysis()))
      }
    }
    #expect(throws: FourierLensError.self) { _ = try ProbeFactory.make("embedding", host: ProbeHost(registry: PluginRegistry())) }
  }
}
