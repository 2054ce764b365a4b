import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// The input gradient is what attacks and mask learning consume; check it against finite
/// differences and the losses against direct formulas on the returned logits.
@Suite struct InputGradientTests {
  let n = 3, k = 3
  let shape = [3, 1, 8, 8]

  /// Σᵢ wᵢ·lossᵢ for an input, through the classifier (losses in double precision).
  func weightedLoss(_ model: TorchModel, _ x: Tensor, _ objective: Objective, _ w: [Float]) throws -> Double {
    let r = try model.lossAndGradient(x, objective: objective, sampleWeights: w)
    return zip(r.perSampleLoss, w).reduce(0.0) { $0 + $1.0 * Double($1.1) }
  }

  /// The tiny model in float64: finite differences then see neither float32 rounding nor,
  /// with steps this small, the kinks of ReLU and max-pooling.
  func doubleModel() throws -> TorchModel {
    let model = try Fixtures.smallModel(classes: k)
    try model.setDoublePrecision(true)
    return model
  }

  func objectives() -> [Objective] {
    [
      .crossEntropy(labels: [0, 2, 1]),
      .softCrossEntropy(targets: [0.2, 0.5, 0.3, 1, 0, 0, 0.1, 0.1, 0.8]),
      .logitMargin(labels: [1, 0, 2]),
    ]
  }

  /// Central difference of Σᵢ wᵢ·lossᵢ between two float inputs, against the gradient at
  /// their midpoint projected on their actual (float-rounded) difference.
  func check(_ model: TorchModel, _ x: Tensor, _ g: Tensor, _ plus: Tensor, _ minus: Tensor,
             _ objective: Objective, _ w: [Float], _ what: String) throws {
    let numeric = try weightedLoss(model, plus, objective, w) - weightedLoss(model, minus, objective, w)
    var analytic = 0.0
    for i in x.data.indices { analytic += Double(g.data[i]) * (Double(plus.data[i]) - Double(minus.data[i])) }
    let scale = max(abs(numeric), abs(analytic), 1e-12)
    #expect(abs(numeric - analytic) / scale < 1e-2, "\(what): gradient predicts \(analytic), finite difference \(numeric)")
  }

  @Test func gradientMatchesCentralDifferencesAlongRandomDirections() throws {
    let model = try doubleModel()
    let x = Fixtures.randomImages(shape, seed: 11)
    let w: [Float] = [0.5, 0.3, 0.2]
    for objective in objectives() {
      let g = try model.lossAndGradient(x, objective: objective, sampleWeights: w).inputGradient
      for d in 0 ..< 3 {
        let v = Fixtures.randomImages(shape, seed: 100 + UInt64(d)).data.map { $0 - 0.5 }
        let eps: Float = 1e-5
        let plus = Tensor(shape: shape, data: zip(x.data, v).map { $0 + eps * $1 })
        let minus = Tensor(shape: shape, data: zip(x.data, v).map { $0 - eps * $1 })
        try check(model, x, g, plus, minus, objective, w, "\(objective), direction \(d)")
      }
    }
  }

  @Test func gradientMatchesCentralDifferencesOnLargestCoordinates() throws {
    let model = try doubleModel()
    let x = Fixtures.randomImages(shape, seed: 12)
    let objective = Objective.softCrossEntropy(targets: [0.2, 0.5, 0.3, 1, 0, 0, 0.1, 0.1, 0.8])
    let w: [Float] = [1, 1, 1]
    let g = try model.lossAndGradient(x, objective: objective, sampleWeights: w).inputGradient
    let largest = g.data.indices.sorted { abs(g.data[$0]) > abs(g.data[$1]) }.prefix(6)
    for i in largest {
      var plus = x, minus = x
      plus.data[i] += 1e-4
      minus.data[i] -= 1e-4
      try check(model, x, g, plus, minus, objective, w, "coordinate \(i)")
    }
  }

  @Test func floatAndDoublePrecisionAgree() throws {
    let model = try Fixtures.smallModel(classes: k)
    let x = Fixtures.randomImages(shape, seed: 17)
    let single = try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1, 2]))
    try model.setDoublePrecision(true)
    let double = try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1, 2]))
    let scale = double.inputGradient.data.reduce(0) { max($0, abs($1)) }
    #expect(maxAbsDifference(single.inputGradient.data, double.inputGradient.data) < 1e-4 * scale)
    #expect(maxAbsDifference(single.logits, double.logits) < 1e-4)
  }

  @Test func weightedGradientIsTheWeightedSumOfSingleImageGradients() throws {
    let model = try Fixtures.smallModel(classes: k)
    let x = Fixtures.randomImages(shape, seed: 13)
    let labels = [2, 0, 1]
    let w: [Float] = [0.7, -0.2, 1.5]
    let batch = try model.lossAndGradient(x, objective: .crossEntropy(labels: labels), sampleWeights: w)
    let per = x.strideOfFirstDimension
    for i in 0 ..< n {
      let single = try model.lossAndGradient(x.slice(i ..< i + 1), objective: .crossEntropy(labels: [labels[i]]), sampleWeights: [1])
      let expected = single.inputGradient.data.map { $0 * w[i] }
      let got = Array(batch.inputGradient.data[i * per ..< (i + 1) * per])
      let scale = expected.reduce(0) { max($0, abs($1)) }
      #expect(maxAbsDifference(expected, got) <= 1e-5 * max(scale, 1e-3))
      #expect(abs(single.perSampleLoss[0] - batch.perSampleLoss[i]) < 1e-5)
    }
    // Default weights are 1/N: the gradient of the batch-mean loss.
    let mean = try model.lossAndGradient(x, objective: .crossEntropy(labels: labels))
    let ones = try model.lossAndGradient(x, objective: .crossEntropy(labels: labels), sampleWeights: [1, 1, 1])
    #expect(maxAbsDifference(mean.inputGradient.data, ones.inputGradient.data.map { $0 / 3 }) < 1e-6)
  }

  @Test func lossesFollowTheirDefinitionsOnTheReturnedLogits() throws {
    let model = try Fixtures.smallModel(classes: k)
    let x = Fixtures.randomImages(shape, seed: 14)
    let labels = [1, 2, 0]
    let logits = try model.logits(x)
    func row(_ i: Int) -> [Double] { (0 ..< k).map { Double(logits[i * k + $0]) } }
    func logSumExp(_ z: [Double]) -> Double { let m = z.max()!; return m + log(z.reduce(0) { $0 + exp($1 - m) }) }

    let ce = try model.lossAndGradient(x, objective: .crossEntropy(labels: labels))
    #expect(maxAbsDifference(ce.logits, logits) == 0)
    for i in 0 ..< n { #expect(abs(Double(ce.perSampleLoss[i]) - (logSumExp(row(i)) - row(i)[labels[i]])) < 1e-5) }

    let targets: [Float] = [0.2, 0.5, 0.3, 1, 0, 0, 0.1, 0.1, 0.8]
    let soft = try model.lossAndGradient(x, objective: .softCrossEntropy(targets: targets))
    for i in 0 ..< n {
      let z = row(i), lse = logSumExp(z)
      let expected = -(0 ..< k).reduce(0.0) { $0 + Double(targets[i * k + $1]) * (z[$1] - lse) }
      #expect(abs(Double(soft.perSampleLoss[i]) - expected) < 1e-5)
    }

    let margin = try model.lossAndGradient(x, objective: .logitMargin(labels: labels))
    for i in 0 ..< n {
      let z = row(i)
      let other = (0 ..< k).filter { $0 != labels[i] }.map { z[$0] }.max()!
      #expect(abs(Double(margin.perSampleLoss[i]) - (other - z[labels[i]])) < 1e-5)
    }
  }

  @Test func inferenceLeavesWeightsAndRunningStatisticsUntouched() throws {
    let model = try Fixtures.smallModel(classes: k)
    let x = Fixtures.randomImages(shape, seed: 15)
    let before = try model.logits(x)
    for _ in 0 ..< 3 { _ = try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1, 2])) }
    #expect(try model.logits(x) == before)
    // Evaluation mode: one image's logits do not depend on the rest of the batch.
    let alone = try model.logits(x.slice(1 ..< 2))
    #expect(maxAbsDifference(alone, Array(before[k ..< 2 * k])) < 1e-5)
  }

  @Test func badArgumentsAreClearErrors() throws {
    let model = try Fixtures.smallModel(classes: k)
    let x = Fixtures.randomImages(shape, seed: 16)
    #expect(throws: FourierLensError.self) { try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1])) }
    #expect(throws: FourierLensError.self) { try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1, 3])) }
    #expect(throws: FourierLensError.self) { try model.lossAndGradient(x, objective: .softCrossEntropy(targets: [1, 0])) }
    #expect(throws: FourierLensError.self) { try model.lossAndGradient(x, objective: .crossEntropy(labels: [0, 1, 2]), sampleWeights: [1]) }
    do {
      _ = try model.logits(Fixtures.randomImages([2, 3, 8, 8], seed: 1))
      Issue.record("a batch with the wrong channel count was accepted")
    } catch let FourierLensError.shapeMismatch(message) {
      #expect(message.contains("[1, 8, 8]") && message.contains("[2, 3, 8, 8]"))
    }
  }
}
