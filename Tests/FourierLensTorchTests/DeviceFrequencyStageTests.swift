import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// The frequency stage inside the model (`TorchModel.maskedPass`: libtorch's FFT, or products
/// with the DCT-II matrices, on the model's device) against the core's `MaskOperator` (FFTW on
/// the CPU) followed by the model's input gradient: the same losses, logits and mask
/// gradients to 1e-5 (relative to the largest value), for both transforms, both mask layouts
/// and several masks assigned to images. Then the same on a GPU against the CPU, when there is
/// one; without a GPU those tests are reported as skipped, with libtorch's reason, unless
/// FLENS_REQUIRE_GPU=1 (scripts/gpu-check.sh), which makes them run and fail.
@Suite(.serialized) struct DeviceFrequencyStageTests {
  static let input = [3, 12, 10]  // odd and even sizes, H ≠ W

  static func relativeDifference(_ a: [Float], _ b: [Float]) -> Float {
    maxAbsDifference(a, b) / max(1e-12, b.map(abs).max() ?? 0)
  }

  /// ∂(Σᵢ wᵢℓᵢ)/∂M through MaskOperator: normalise, T, mask, T⁻¹, de-normalise, the model's
  /// input gradient, σ-scaling, the adjoint.
  static func reference(_ model: TorchModel, _ x: Tensor, transform: TransformKind, layout: MaskLayout, masks: [Float],
                        maskCount: Int, assignment: [Int]?, labels: [Int], weights: [Float])
    throws -> (losses: [Float], logits: [Float], gradient: [Float])
  {
    let d = model.description
    let normalization = try Normalization(mean: d.mean, std: d.std)
    let op = try MaskOperator(kind: transform, channels: d.input[0], height: d.input[1], width: d.input[2], layout: layout)
    try op.setInput(try normalization.normalized(x))
    let xM = try normalization.denormalized(try op.apply(masks: masks, maskCount: maskCount, assignment: assignment))
    let r = try model.lossAndGradient(xM, objective: .crossEntropy(labels: labels), sampleWeights: weights)
    var g = r.inputGradient
    let plane = d.input[1] * d.input[2]
    for i in 0..<x.shape[0] {
      for c in 0..<d.input[0] {
        for j in 0..<plane { g.data[(i * d.input[0] + c) * plane + j] *= d.std[c] }
      }
    }
    let gradient = try op.maskGradient(masks: masks, maskCount: maskCount, assignment: assignment, outputGradient: g)
    return (r.perSampleLoss.map { Float($0) }, r.logits, gradient)
  }

  static func model(seed: UInt64 = 5) throws -> TorchModel {
    try TorchModel.create(architecture: .smallcnn, input: input, mean: [0.5, 0.45, 0.4], std: [0.25, 0.2, 0.3],
                          classes: ["a", "b", "c", "d"], seed: seed)
  }

  static func masks(count: Int, layout: MaskLayout, seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed)
    let size = (layout == .shared ? 1 : input[0]) * input[1] * input[2]
    return (0..<(count * size)).map { _ in g.nextUniform() }
  }

  @Test(arguments: [(TransformKind.dft, MaskLayout.shared), (.dft, .perChannel), (.dct, .shared), (.dct, .perChannel)], [1, 3])
  func maskedPassMatchesMaskOperator(stage: (transform: TransformKind, layout: MaskLayout), maskCount: Int) throws {
    let (transform, layout) = stage
    let model = try Self.model()
    let n = 5
    let x = Fixtures.randomImages([n] + Self.input, seed: 17)
    let labels = [0, 3, 1, 2, 1]
    let weights: [Float] = [0.3, -1.2, 0.7, 2.0, 0.05]
    let masks = Self.masks(count: maskCount, layout: layout, seed: 3)
    let assignment = maskCount == 1 ? nil : [2, 0, 1, 2, 0]
    let expected = try Self.reference(model, x, transform: transform, layout: layout, masks: masks, maskCount: maskCount,
                                      assignment: assignment, labels: labels, weights: weights)
    let pass = try model.maskedPass(x, transform: transform, layout: layout, masks: masks, maskCount: maskCount,
                                    assignment: assignment, objective: .crossEntropy(labels: labels))
    let gradient = try pass.maskGradient(lossWeights: weights)
    #expect(Self.relativeDifference(pass.perSampleLoss.map { Float($0) }, expected.losses) <= 1e-5)
    #expect(Self.relativeDifference(pass.logits, expected.logits) <= 1e-5)
    #expect(Self.relativeDifference(gradient, expected.gradient) <= 1e-5)
    #expect((expected.gradient.map(abs).max() ?? 0) > 1e-6, "the comparison needs a non-zero gradient")
    #expect(throws: FourierLensError.self) { _ = try pass.maskGradient(lossWeights: weights) }  // once per pass
  }

  /// Whole mask-learning steps agree whichever side runs the frequency stage.
  @Test func maskLearningStepsMatchAcrossFrequencyStages() throws {
    let b = OptimizedPathTests.batch([6] + Self.input, classes: 4, seed: 11)
    var config = MaskLearningConfig()
    config.batchSize = 6
    config.learningRate = 0.05
    config.lambda = 0.2
    var thetas: [[Float]] = []
    for inModel in [false, true] {
      let model = try Self.model()
      model.prefersOwnFrequencyStage = inModel
      let learner = try MaskLearner(model: model, parameterization: OptimizedPathTests.FreeMask(shape: [12, 10]), config: config)
      learner.showsProgress = false
      var optimization = try MaskOptimization(learner: learner, batch: b)
      for _ in 0..<4 { try optimization.step(on: b, learningRate: config.learningRate) }
      thetas.append(optimization.theta)
    }
    #expect(maxAbsDifference(thetas[0], thetas[1]) <= 1e-4)
    #expect(thetas[0].contains { $0 < 1 }, "the mask did not move")
  }

  @Test func devicesParseAndTheCPUIsAlwaysThere() throws {
    #expect(try ComputeDevice(parsing: "cpu") == .cpu)
    #expect(try ComputeDevice(parsing: "cuda") == .cuda(index: 0))
    #expect(try ComputeDevice(parsing: "cuda:2") == .cuda(index: 2))
    #expect(try ComputeDevice(parsing: "auto") == .auto)
    for bad in ["gpu", "cuda:", "cuda:-1", "CPU", ""] {
      #expect(throws: FourierLensError.self) { _ = try ComputeDevice(parsing: bad) }
    }
    let model = try Self.model()
    try model.move(to: .cpu)
    #expect(model.device == .cpu && !model.prefersOwnFrequencyStage)
    try model.move(to: .auto)
    #expect(model.device == (CUDAAvailability.current.deviceCount > 0 ? .cuda(index: 0) : .cpu))
  }

  @Test(.enabled(if: CUDAAvailability.current.deviceCount == 0, "a GPU is present"))
  func askingForAMissingGPUNamesTheOptionAndTheReason() throws {
    let model = try Self.model()
    #expect {
      try model.move(to: .cuda(index: 0))
    } throws: { error in
      "\(error)".contains("--device") && "\(error)".contains(CUDAAvailability.current.reason)
    }
    #expect(model.device == .cpu)
  }

  // MARK: On a GPU (skipped without one)

  static let gpuReason: Comment = "no CUDA device: \(CUDAAvailability.current.reason)"
  /// Set by scripts/gpu-check.sh: a run meant to exercise the GPU must not pass by skipping.
  static let gpuRequired = ProcessInfo.processInfo.environment["FLENS_REQUIRE_GPU"] == "1"

  @Test(.enabled(if: CUDAAvailability.current.deviceCount > 0 || gpuRequired, gpuReason))
  func aGPUComputesWhatTheCPUComputes() throws {
    let cpu = try Self.model(), gpu = try Self.model()
    try gpu.move(to: .cuda(index: 0))
    #expect(gpu.device == .cuda(index: 0) && gpu.prefersOwnFrequencyStage)
    let x = Fixtures.randomImages([4] + Self.input, seed: 23)
    let labels = [1, 0, 3, 2]
    #expect(Self.relativeDifference(try gpu.logits(x), try cpu.logits(x)) <= 1e-4)
    let a = try gpu.lossAndGradient(x, objective: .crossEntropy(labels: labels))
    let b = try cpu.lossAndGradient(x, objective: .crossEntropy(labels: labels))
    #expect(Self.relativeDifference(a.inputGradient.data, b.inputGradient.data) <= 1e-4)
    for transform in [TransformKind.dft, .dct] {
      let masks = Self.masks(count: 2, layout: .perChannel, seed: 9)
      let weights: [Float] = [1, 0.5, -0.25, 2]
      let expected = try Self.reference(cpu, x, transform: transform, layout: .perChannel, masks: masks, maskCount: 2,
                                        assignment: [1, 0, 0, 1], labels: labels, weights: weights)
      let pass = try gpu.maskedPass(x, transform: transform, layout: .perChannel, masks: masks, maskCount: 2,
                                    assignment: [1, 0, 0, 1], objective: .crossEntropy(labels: labels))
      #expect(Self.relativeDifference(try pass.maskGradient(lossWeights: weights), expected.gradient) <= 1e-4)
    }
    // Training steps run on the GPU and the weights come back to the CPU when saved.
    let optimizer = try TorchOptimizer(model: gpu, kind: .sgd, learningRate: 0.05, weightDecay: 0)
    _ = try optimizer.step(OptimizedPathTests.batch([8] + Self.input, classes: 4, seed: 4), seed: 1)
    let dir = Fixtures.temporaryDirectory("gpu-save")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    try gpu.save(to: dir)
    let reloaded = try TorchModel.load(from: dir)
    #expect(Self.relativeDifference(try reloaded.logits(x), try gpu.logits(x)) <= 1e-4)
  }
}
