import Foundation
import Testing
@testable import FourierLens

@Suite struct ProbeTests {
  static func learnedMask(_ values: [Float], transform: TransformKind = .dft) -> LearnedMask {
    var config = MaskLearningConfig()
    config.transform = transform
    let result = MaskLearningResult(config: config, parameterization: "test", maskShape: [8, 8], maskCount: 1,
                                    masks: values, theta: values, imageCount: 0, cleanAccuracy: 0, maskedAccuracy: 0,
                                    complementaryAccuracy: 0, sparsity: 0, epochsRun: 0, masksMeetingTarget: 0, history: [])
    return LearnedMask(allValues: values, summary: MaskSummary(result: result, param: "test", model: "m", data: "d"), directory: "")
  }

  @Test(arguments: [TransformKind.dft, .dct])
  func allOnesMaskKeepsAccuracyExactlyAndZerosGiveAConstantImage(kind: TransformKind) throws {
    let (data, model) = MaskLearnerTests.plantedProblem()
    let ones = ProbeContext(model: model, dataset: data, mask: Self.learnedMask(.init(repeating: 1, count: 64), transform: kind),
                            batchSize: 16, showsProgress: false)
    let out = try AccuracyProbe().run(ones)
    #expect(out.json["clean_accuracy"] == out.json["masked_accuracy"])
    // The complement of an all-ones mask is all zeros: the model sees the mean image, one class.
    #expect(out.json["complementary_accuracy"]?.doubleValue == 0.5)
    let zeros = try MaskedClassifier(base: model, mask: .init(repeating: 0, count: 64), transform: kind, layout: .shared)
    let seen = try zeros.masked(data.batch(Array(0..<4)).images)
    // In normalised space everything is removed, so in pixel space every pixel is the mean.
    #expect(seen.data.allSatisfy { abs($0 - 0.5) < 1e-5 })
    #expect(out.table.rows.count == 3 + 2 * MaskReliability.topPercents.count)
  }

  /// The masked classifier's input gradient against central differences.
  @Test(arguments: [TransformKind.dft, .dct])
  func maskedClassifierGradientMatchesFiniteDifferences(kind: TransformKind) throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 2)
    var rng = SeededGenerator(seed: 5)
    let mask = (0..<64).map { _ in rng.nextUniform() }
    let masked = try MaskedClassifier(base: model, mask: mask, transform: kind, layout: .shared)
    let x = try data.batch([0, 1]).images
    let labels = [1, 0]  // the wrong labels: a large, informative gradient
    let g = try masked.lossAndGradient(x, objective: .crossEntropy(labels: labels)).inputGradient
    let h: Float = 1e-2
    var maxError: Float = 0, maxG: Float = 0
    for j in stride(from: 0, to: x.count, by: 7) {
      var up = x, down = x
      up.data[j] += h; down.data[j] -= h
      let lu = try masked.lossAndGradient(up, objective: .crossEntropy(labels: labels)).meanLoss
      let ld = try masked.lossAndGradient(down, objective: .crossEntropy(labels: labels)).meanLoss
      maxError = max(maxError, abs(Float((lu - ld) / (2 * Double(h))) - g.data[j]))
      maxG = max(maxG, abs(g.data[j]))
    }
    #expect(maxG > 1e-3)
    #expect(maxError < 2e-2 * maxG, "max error \(maxError) vs max gradient \(maxG)")
  }

  /// A model that reads one frequency only: the heat map is high there and low elsewhere.
  @Test func heatmapIsHighOnlyWhereTheModelLooks() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 16)
    let out = try FourierHeatmapProbe(eps: 2).run(ProbeContext(model: model, dataset: data, batchSize: 16, showsProgress: false))
    let map = try #require(out.arrays["error"])
    #expect(map.shape == [8, 8])
    // Centred layout: frequency (0, ±2) sits at row 4, columns 4 ± 2.
    let planted = (map.data[4 * 8 + 2] + map.data[4 * 8 + 6]) / 2
    let elsewhere = (map.data.reduce(0, +) - 2 * planted) / 62
    #expect(planted >= 0.3, "error at the planted frequency \(planted)")
    #expect(elsewhere <= 0.05, "mean error elsewhere \(elsewhere)")
    // Mirror symmetry of the map.
    #expect(map.data[4 * 8 + 2] == map.data[4 * 8 + 6])
    #expect(FourierHeatmapProbe.basis(fy: 1, fx: 3, height: 8, width: 8).reduce(0) { $0 + $1 * $1 } > 0.9999)
  }

  @Test func heatmapRefusesNonPositiveEps() {
    #expect(throws: FourierLensError.self) { try FourierHeatmapProbe(eps: 0) }
    #expect(throws: FourierLensError.self) { try FourierHeatmapProbe(eps: .nan) }
  }

  @Test func csvQuotesWhatNeedsQuoting() {
    var t = CSVTable(header: ["a", "b"])
    t.append(["x,y", "say \"hi\""])
    t.append([1, 0.5])
    #expect(t.text == "a,b\n\"x,y\",\"say \"\"hi\"\"\"\n1,0.5\n")
  }

  @Test func jsonValueRoundTripsAndWritesNonFiniteAsNull() throws {
    let v: JSONValue = ["a": 1, "b": [true, "s", 2.5], "c": .null]
    #expect(try JSONDecoder().decode(JSONValue.self, from: v.encoded()) == v)
    let nan = try JSONValue.number(.nan).encoded()
    #expect(String(decoding: nan, as: UTF8.self) == "null")
  }
}
