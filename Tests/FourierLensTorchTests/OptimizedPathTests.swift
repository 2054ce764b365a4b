import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// Every performance optimisation must compute the same numbers as the plain path (within
/// 1e-4): BatchNorm folded into the convolutions for evaluation-mode calls, in logits, in
/// input gradients and through whole mask-learning steps, also after the weights and
/// running statistics change (the folded weights must follow them).
@Suite(.serialized) struct OptimizedPathTests {
  /// θ = M clamped to [0, 1] (the `free` plugin's mathematics, without the plugin machinery).
  final class FreeMask: MaskParameterization {
    let name = "free-test"
    let maskShape: [Int]
    var parameterCount: Int { maskShape.reduce(1, *) }
    init(shape: [Int]) { maskShape = shape }
    func initialParameters() throws -> [Float] { [Float](repeating: 1, count: parameterCount) }
    func mask(_ theta: [Float]) throws -> [Float] { theta }
    func vectorJacobianProduct(_ theta: [Float], maskGradient: [Float]) throws -> [Float] { maskGradient }
    func project(_ theta: inout [Float]) throws { for i in theta.indices { theta[i] = min(1, max(0, theta[i])) } }
  }

  static func batch(_ shape: [Int], classes: Int, seed: UInt64) -> ImageBatch {
    var g = SeededGenerator(seed: seed)
    let x = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in g.nextUniform() })
    let labels = (0..<shape[0]).map { _ in Int(g.next() % UInt64(classes)) }
    return ImageBatch(images: x, labels: labels, classNames: (0..<classes).map { "c\($0)" })
  }

  /// A model whose BatchNorm layers are not the identity: a few training steps move γ, β
  /// and the running statistics away from their initial values.
  static func trainedModel(_ arch: TorchArchitecture, input: [Int], seed: UInt64 = 3) throws -> TorchModel {
    let c = input[0]
    let model = try TorchModel.create(architecture: arch, input: input, mean: .init(repeating: 0.45, count: c),
                                      std: .init(repeating: 0.25, count: c), classes: (0..<4).map { "c\($0)" }, seed: seed)
    let optimizer = try TorchOptimizer(model: model, kind: .sgd, learningRate: 0.05, weightDecay: 0)
    for s in 0..<3 { _ = try optimizer.step(batch([8] + input, classes: 4, seed: 100 + UInt64(s)), seed: UInt64(s)) }
    return model
  }

  static func tolerance<T: BinaryFloatingPoint>(_ reference: [T]) -> T {
    1e-4 * max(1, reference.map(abs).max() ?? 0)
  }

  /// Logits and losses in float32; input gradients in float64 as well. (A float32 input
  /// gradient is not continuous in rounding: an activation within ~1e-7 of a ReLU kink can
  /// flip sides when the same function is computed in another order, which moves single
  /// gradient entries by far more than 1e-4. In float64 no activation is that close, so
  /// the comparison there checks the folded mathematics itself.)
  func compareFoldedAndPlain(_ model: TorchModel, _ b: ImageBatch) throws {
    for double in [false, true] {
      try model.setDoublePrecision(double)
      try model.setFoldsBatchNorm(true)
      let folded = try model.lossAndGradient(b.images, objective: .crossEntropy(labels: b.labels))
      let foldedLogits = try model.logits(b.images)
      try model.setFoldsBatchNorm(false)
      let plain = try model.lossAndGradient(b.images, objective: .crossEntropy(labels: b.labels))
      let plainLogits = try model.logits(b.images)
      try model.setFoldsBatchNorm(true)
      #expect(maxAbsDifference(foldedLogits, plainLogits) <= Self.tolerance(plainLogits))
      #expect(maxAbsDifference(folded.logits, plain.logits) <= Self.tolerance(plain.logits))
      #expect(maxAbsDifference(folded.perSampleLoss, plain.perSampleLoss) <= Self.tolerance(plain.perSampleLoss))
      if double {
        #expect(maxAbsDifference(folded.inputGradient.data, plain.inputGradient.data) <= Self.tolerance(plain.inputGradient.data))
      }
      // The comparison means something: the gradient is not zero.
      #expect((plain.inputGradient.data.map(abs).max() ?? 0) > 0)
    }
    try model.setDoublePrecision(false)
  }

  @Test(arguments: [
    (TorchArchitecture.smallcnn, [3, 16, 16]),
    (TorchArchitecture.resnet18, [3, 16, 16]),  // CIFAR stem, downsampling blocks
    (TorchArchitecture.resnet18, [1, 64, 64]),  // ImageNet stem (7×7/2 conv, max-pool)
  ])
  func foldedBatchNormMatchesPlainLayers(arch: TorchArchitecture, input: [Int]) throws {
    let model = try Self.trainedModel(arch, input: input)
    let b = Self.batch([4] + input, classes: 4, seed: 9)
    try compareFoldedAndPlain(model, b)
    // After another training step the folded weights must follow the new parameters.
    let before = try model.logits(b.images)
    let optimizer = try TorchOptimizer(model: model, kind: .sgd, learningRate: 0.05, weightDecay: 0)
    _ = try optimizer.step(Self.batch([8] + input, classes: 4, seed: 42), seed: 42)
    let after = try model.logits(b.images)
    #expect(maxAbsDifference(before, after) > 1e-4, "the training step changed nothing")
    try compareFoldedAndPlain(model, b)
  }

  @Test func foldedBatchNormMatchesPlainLayersInVGG() throws {
    let model = try Self.trainedModel(.vgg11bn, input: [3, 32, 32])
    try compareFoldedAndPlain(model, Self.batch([2, 3, 32, 32], classes: 4, seed: 5))
  }

  @Test func foldingFollowsLoadedWeights() throws {
    let model = try Self.trainedModel(.smallcnn, input: [1, 16, 16], seed: 1)
    let other = try Self.trainedModel(.smallcnn, input: [1, 16, 16], seed: 2)
    let b = Self.batch([3, 1, 16, 16], classes: 4, seed: 8)
    _ = try model.logits(b.images)  // folds the first weights
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fold-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try other.save(to: dir)
    try model.loadWeights(file: ModelDirectory.weightsPath(dir))
    let expected = try other.logits(b.images)
    try other.setFoldsBatchNorm(false)
    #expect(maxAbsDifference(try model.logits(b.images), try other.logits(b.images)) <= Self.tolerance(expected))
  }

  /// Whole mask-learning steps (the paper's loss, free mask, DFT) agree between the
  /// optimised model and the plain one.
  @Test func maskLearningStepsMatchPlainPath() throws {
    let input = [3, 16, 16]
    let fast = try Self.trainedModel(.smallcnn, input: input)
    let plain = try Self.trainedModel(.smallcnn, input: input)
    try plain.setFoldsBatchNorm(false)
    try plain.setChannelsLast(false)
    let b = Self.batch([6] + input, classes: 4, seed: 11)
    var config = MaskLearningConfig()
    config.batchSize = 6
    config.learningRate = 0.05
    config.lambda = 0.2
    var thetas: [[Float]] = []
    var losses: [[Float]] = []
    for model in [fast, plain] {
      let learner = try MaskLearner(model: model, parameterization: FreeMask(shape: [16, 16]), config: config)
      learner.showsProgress = false
      var optimization = try MaskOptimization(learner: learner, batch: b)
      var l: [Float] = []
      for _ in 0..<4 { l.append(try optimization.step(on: b, learningRate: config.learningRate).loss) }
      thetas.append(optimization.theta)
      losses.append(l)
    }
    #expect(maxAbsDifference(losses[0], losses[1]) <= 1e-4)
    #expect(maxAbsDifference(thetas[0], thetas[1]) <= 1e-4)
    #expect(thetas[0].contains { $0 < 1 }, "the mask did not move")
  }
}
