import Foundation
import Testing
@testable import FourierLens

/// The `nad` probe against a planted architecture whose directional bias is known: a
/// "network" that can only see frequencies with |f_y| ≤ 2 and f_x = 0 (it fits the
/// difference of the class means after that anisotropic DFT low-pass). On the probe's data, whose only discriminative
/// direction is the grid frequency's basis image, it must be right (≈ 100 %) exactly at the
/// low-pass frequencies and at chance (≈ 50 %) everywhere else.
@Suite struct NeuralAnisotropyProbeTests {
  /// Nearest class mean after an ideal low-pass: a linear classifier z = (w·x, −w·x) with
  /// w = P_low(μ₀ − μ₁).
  struct LowPassMeanDifference: ArchitectureTraining {
    let radiusY: Int
    let radiusX: Int
    var architecture: String { "lowpass-mean-difference" }

    func trainFresh(on train: Dataset, classes: Int, seed: UInt64) throws -> Classifier {
      let batch = try train.batch(Array(0..<train.info.count))
      let shape = train.info.shape, d = shape.reduce(1, *), (h, w) = (shape[1], shape[2])
      var difference = [Float](repeating: 0, count: d)
      let counts = [batch.labels.filter { $0 == 0 }.count, batch.labels.filter { $0 == 1 }.count].map(Float.init)
      for i in 0..<batch.count {
        let sign: Float = batch.labels[i] == 0 ? 1 / counts[0] : -1 / counts[1]
        for j in 0..<d { difference[j] += sign * batch.images.data[i * d + j] }
      }
      let low = (0..<(h * w)).map { k -> Float in
        let (ky, kx) = (k / w, k % w)
        return min(ky, h - ky) <= radiusY && min(kx, w - kx) <= radiusX ? 1 : 0
      }
      let op = try MaskOperator(kind: .dft, channels: shape[0], height: h, width: w, layout: .shared)
      try op.setInput(Tensor(shape: [1] + shape, data: difference))
      let filtered = try op.apply(masks: low, maskCount: 1, assignment: nil).data.map(Double.init)
      return LinearSoftmaxClassifier(weights: filtered + filtered.map { -$0 }, bias: [0, 0], input: shape,
                                     mean: [Float](repeating: 0, count: shape[0]), std: [Float](repeating: 1, count: shape[0]))
    }
  }

  @Test func accuracyIsHighExactlyWhereThePlantedArchitectureCanSee() throws {
    let images = InMemoryDataset(batch: ImageBatch(images: Tensor(zeros: [2, 2, 8, 8]), labels: [0, 1], classNames: ["a", "b"]),
                                 format: "test")
    let model = LinearSoftmaxClassifier(weights: [Double](repeating: 0, count: 256), bias: [0, 0], input: [2, 8, 8],
                                        mean: [0, 0], std: [1, 1])
    var asked: [ModelDescription] = []
    let probe = try NeuralAnisotropyProbe(
      makeTrainer: { description, _ in asked.append(description); return LowPassMeanDifference(radiusY: 2, radiusX: 0) },
      training: FreshTrainingSettings(epochs: 1, batchSize: 8, learningRate: nil), grid: 4, trainImages: 400, testImages: 400,
      sigma: 0.3, epsilon: 1)
    let out = try probe.run(ProbeContext(model: model, dataset: images, batchSize: 64, showsProgress: false))
    #expect(asked.map(\.arch) == ["linear"], "the trainer is made once, for the probed model's architecture")
    let map = try #require(out.arrays["accuracy"])
    #expect(map.shape == [4, 4])
    // Rows and columns are f = -4, -2, 0, 2.
    let frequencies = [-4, -2, 0, 2]
    for (r, fy) in frequencies.enumerated() {
      for (c, fx) in frequencies.enumerated() {
        let accuracy = map.data[r * 4 + c]
        if abs(fy) <= 2 && fx == 0 {
          #expect(accuracy >= 0.95, "(\(fy), \(fx)) is inside the planted pass-band: accuracy \(accuracy)")
        } else {
          #expect(accuracy <= 0.65, "(\(fy), \(fx)) is outside the planted pass-band: accuracy \(accuracy)")
        }
      }
    }
    // ± pairs are trained once: (-4, -4), (-4, 0), (0, -4), (0, 0) are their own mirrors, the other 12 pair up.
    #expect(out.json["networks"]?.doubleValue == 10)
    #expect(map.data[1 * 4 + 1] == map.data[3 * 4 + 3], "(-2, -2) and (2, 2) are one direction")
    #expect(out.table.rows.count == 16 && out.json["architecture"]?.stringValue == "lowpass-mean-difference")
  }

  @Test func directionalDataIsSeparableOnlyAlongV() throws {
    let v = FourierHeatmapProbe.basis(fy: 1, fx: 2, height: 8, width: 8)
    let data = NeuralAnisotropyProbe.directionalData(v: v, shape: [1, 8, 8], count: 200, sigma: 3, epsilon: 1, seed: 5)
    let batch = try data.batch(Array(0..<200))
    for i in 0..<200 {
      let projection = zip(batch.images.data[i * 64 ..< (i + 1) * 64], v).reduce(Float(0)) { $0 + $1.0 * $1.1 }
      #expect(abs(projection - (batch.labels[i] == 0 ? 0.5 : -0.5)) < 1e-4, "image \(i): projection on v \(projection)")
    }
    #expect(batch.labels.filter { $0 == 0 }.count == 100)
  }

  @Test func badOptionsAreRefusedNamingTheProbe() throws {
    for text in ["nad:grid=0", "nad:eps=0", "nad:epochs=0", "nad:train=1", "nad:bogus=1"] {
      #expect(performing: {
        _ = try ProbeFactory.make(text, host: ProbeHost(registry: PluginRegistry(), trainers: { _, _ in LowPassMeanDifference(radiusY: 1, radiusX: 1) }))
      }, throws: { error in "\(error)".contains("nad") })
    }
    #expect(performing: { _ = try ProbeFactory.make("nad", host: ProbeHost(registry: PluginRegistry())) },
            throws: { error in "\(error)".contains("can train") })
  }
}
