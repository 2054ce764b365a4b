import Foundation
import Testing
@testable import FourierLens

/// Mask learning until convergence: the criterion, the schedule, and on the planted problem
/// of `MaskLearnerTests` that the cap no longer decides the mask.
@Suite struct MaskConvergenceTests {
  @Test func driftIsTheTrendsChangeAcrossTheWindow() {
    // A straight line changes by its slope × (n − 1) across n points.
    #expect(abs(MaskConvergence.drift([0, 0.1, 0.2, 0.3, 0.4]) - 0.4) < 1e-6)
    #expect(abs(MaskConvergence.drift([1, 0.75, 0.5]) + 0.5) < 1e-6)
    #expect(MaskConvergence.drift([0.3, 0.3, 0.3, 0.3]) == 0)
    // Alternating noise has no trend: its drift is far below the spread of its values.
    let noise: [Float] = [0.50, 0.52, 0.50, 0.52, 0.50, 0.52, 0.50]
    #expect(abs(MaskConvergence.drift(noise)) < 0.01)
    #expect(MaskConvergence.drift([1]).isInfinite)
  }

  @Test func criterionNeedsAFullWindowOfBothSparsityAndRetentionSettled() {
    func record(_ epoch: Int, sparsity: Float, masked: Float) -> MaskEpochRecord {
      MaskEpochRecord(epoch: epoch, learningRate: 0.01, dataTerm: 1, distortion: 0, sparsity: sparsity, loss: 1,
                      maskedAccuracy: masked, imagesPerSecond: 1)
    }
    let criterion = MaskConvergence(window: 4, tolerance: 0.01)
    let settled = (1...4).map { record($0, sparsity: 0.3, masked: 0.8) }
    #expect(criterion.isMet(by: settled[...], cleanAccuracy: 0.8))
    #expect(!criterion.isMet(by: settled.prefix(3), cleanAccuracy: 0.8))
    // Sparsity still falling by 0.01 an epoch: a drift of 0.03 across the window.
    let falling = (1...4).map { record($0, sparsity: 0.3 - 0.01 * Float($0), masked: 0.8) }
    #expect(!criterion.isMet(by: falling[...], cleanAccuracy: 0.8))
    // Retention falling while sparsity holds.
    let losing = (1...4).map { record($0, sparsity: 0.3, masked: 0.8 - 0.02 * Float($0)) }
    #expect(!criterion.isMet(by: losing[...], cleanAccuracy: 0.8))
  }

  @Test func scheduleWarmsUpHoldsThenDecaysToTheFinalRate() {
    let s = WarmupStableDecaySchedule(maxLR: 0.1, warmupSteps: 4, decaySteps: 10)
    #expect(abs(s.learningRate(at: 0, decayStart: nil) - (0.004 + 0.096 / 4)) < 1e-7)
    #expect(s.learningRate(at: 3, decayStart: nil) == 0.1)
    #expect(s.learningRate(at: 500, decayStart: nil) == 0.1)
    #expect(s.learningRate(at: 20, decayStart: 30) == 0.1)
    // The decay's first step is at the peak, its last at the final rate, falling in between.
    #expect(abs(s.learningRate(at: 30, decayStart: 30) - 0.1) < 1e-6)
    let decay = (30..<40).map { s.learningRate(at: $0, decayStart: 30) }
    #expect(zip(decay, decay.dropFirst()).allSatisfy { $0 > $1 })
    #expect(abs(decay[4] + decay[5] - 0.1) < 1e-3, "symmetric about the middle")
    #expect(s.learningRate(at: 39, decayStart: 30) < 1e-6)
    #expect(s.learningRate(at: 80, decayStart: 30) < 1e-6)
  }

  static func learn(epochs: Int, validation: InMemoryDataset? = nil) throws -> MaskLearningResult {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 64)
    var config = MaskLearningConfig()
    config.epochs = epochs
    config.batchSize = 16
    config.learningRate = 0.05
    config.lambda = 0.05
    let learner = try MaskLearner(model: model, parameterization: IdentityMask(shape: [8, 8]), config: config)
    learner.showsProgress = false
    return try learner.learn(on: data, validation: validation)
  }

  /// Past convergence the cap changes nothing: two caps give the same mask, and the mask is
  /// the planted answer. A cap that cuts the run short is reported as not converged.
  @Test func capsPastConvergenceGiveTheSameMaskAndAShortCapIsNotConverged() throws {
    let a = try Self.learn(epochs: 150)
    let b = try Self.learn(epochs: 300)
    #expect(a.converged == true && b.converged == true)
    #expect(a.epochsRun < 150, "ran \(a.epochsRun) epochs")
    #expect(a.epochsRun == b.epochsRun && a.theta == b.theta)
    #expect(abs(a.sparsity - b.sparsity) <= 0.02)
    let planted = a.masks[2] + a.masks[6]
    let rest = (a.masks.reduce(0, +) - planted) / 62
    #expect(planted / 2 > 10 * rest, "planted pair \(planted), mean elsewhere \(rest)")
    #expect(a.maskedAccuracy >= 0.99 * a.cleanAccuracy)
    // The run ends with the decay: the last epoch's rate is far below the peak.
    #expect(a.history.last!.learningRate < 0.05 / 100)

    let short = try Self.learn(epochs: 3)
    #expect(short.converged == false && short.epochsRun == 3)
    #expect(short.sparsity > a.sparsity + 0.1, "a 3-epoch mask \(short.sparsity) against the converged \(a.sparsity)")
  }

  /// Held-out images are measured through the same masks, and a class mask on its class's images.
  @Test func validationImagesAreMeasuredThroughTheReturnedMasks() throws {
    let (heldOut, model) = MaskLearnerTests.plantedProblem(count: 40, seed: 9)
    let r = try Self.learn(epochs: 150, validation: heldOut)
    let v = try #require(r.validation)
    #expect(v.imageCount == 40 && v.groupImageCount == [40])
    let clean = try model.logits(heldOut.batch(Array(0..<40)).images)
    let labels = try heldOut.batch(Array(0..<40)).labels
    let correct = (0..<40).filter { i in (clean[2 * i] > clean[2 * i + 1] ? 0 : 1) == labels[i] }.count
    #expect(v.cleanAccuracy == Float(correct) / 40)
    let masked = try MaskedClassifier(base: model, mask: r.masks, transform: .dft, layout: .shared)
      .logits(heldOut.batch(Array(0..<40)).images)
    let maskedCorrect = (0..<40).filter { i in (masked[2 * i] > masked[2 * i + 1] ? 0 : 1) == labels[i] }.count
    #expect(v.maskedAccuracy == Float(maskedCorrect) / 40)
  }
}

/// The λ path's bracketing and narrowing, on planted steps whose retention falls with λ.
@Suite struct RetentionPathSearchTests {
  /// A step at λ whose only mask has retention `retention(λ)` on 100 validation images.
  static func step(_ lambda: Float, warmStart: Int?, refines: Bool, retention: (Float) -> Float) -> RetentionPathStep {
    let r = retention(lambda)
    var result = MaskLearningResult(
      config: MaskLearningConfig(), parameterization: "identity", maskShape: [1], maskCount: 1, masks: [1], theta: [1],
      imageCount: 100, cleanAccuracy: 1, maskedAccuracy: r, complementaryAccuracy: 0, sparsity: 1 - lambda,
      epochsRun: 1, masksMeetingTarget: 1, history: [], groupImageCount: [100], groupCleanAccuracy: [1],
      groupMaskedAccuracy: [r], groupSparsity: [1 - lambda], groupMetTarget: [true])
    result.validation = HeldOutAccuracy(imageCount: 100, cleanAccuracy: 1, maskedAccuracy: r, groupImageCount: [100],
                                        groupCleanAccuracy: [1], groupMaskedAccuracy: [r])
    return RetentionPathStep(lambda: lambda, warmStart: warmStart, refines: refines, result: result)
  }

  static func walk(_ path: RetentionPathConfig, retention: (Float) -> Float) -> [RetentionPathStep] {
    var steps: [RetentionPathStep] = []
    while let next = path.next(after: steps), steps.count < 100 {
      steps.append(step(next.lambda, warmStart: next.warmStart, refines: next.refines, retention: retention))
    }
    return steps
  }

  @Test func bracketsGeometricallyThenBisectsEachTargetToTheResolution() {
    var path = RetentionPathConfig(targets: [0.95, 0.8])
    (path.startLambda, path.stepFactor, path.resolution) = (0.01, 2, 1.1)
    // Retention 1 − λ: R is met exactly up to λ* = 1 − R.
    let steps = Self.walk(path) { 1 - $0 }
    let bracket = steps.prefix { !$0.refines }
    #expect(bracket.map(\.lambda) == (0..<bracket.count).map { path.lambda(at: $0) })
    // It brackets until the smallest target fails (0.32: retention 0.68 < 0.8).
    #expect(bracket.last!.lambda > 0.2 && bracket.dropLast().allSatisfy { $0.meetsEveryGroup(0.8) })
    #expect(steps.count < 30)
    for target in path.targets {
      let star = 1 - target
      let below = steps.filter { $0.meetsEveryGroup(target) }.map(\.lambda).max()!
      let above = steps.filter { $0.lambda > below }.map(\.lambda).min()!
      #expect(below <= star + 1e-6 && above > star - 1e-6)
      #expect(above / below <= 1.1 + 1e-6, "R \(target): bracket [\(below), \(above)]")
      // The choice is the sparsest step meeting R: the largest λ below λ*.
      let choice = RetentionChoice(target: target, path: steps)
      #expect(steps[choice.stepOfGroup[0]].lambda == below && choice.metByGroup == [true])
    }
    // Every narrowing step starts from the largest λ meeting its target below it.
    for (i, s) in steps.enumerated() where s.refines {
      let from = steps[s.warmStart!]
      #expect(from.lambda < s.lambda && s.warmStart! < i)
    }
    // The next λ is a function of the steps alone: a resumed path continues identically.
    #expect(Self.walk(path) { 1 - $0 }.map(\.lambda) == steps.map(\.lambda))
  }

  /// The bracket is closed at λ* by fewer masks than bisection needs, when retention is smooth
  /// in log λ (as measured on trained networks), and within twice bisection's count however
  /// the retentions fall.
  @Test func narrowingByInterpolationTakesFewerStepsThanBisectionAndIsBoundedOnNoise() {
    var path = RetentionPathConfig(targets: [0.95])
    (path.startLambda, path.stepFactor, path.resolution) = (0.005, 4, 1.1)
    // Bisection from a bracket of ×4 to ×1.1 takes ⌈log2(ln 4 / ln 1.1)⌉ = 4 steps.
    let bisections = Int(log2(log(4.0) / log(1.1)).rounded(.up))
    // Smooth and curved: retention 1 − 0.02·(ln(λ/0.005))², λ* = 0.005·e^√2.5 ≈ 0.0243.
    let smooth: (Float) -> Float = { 1 - 0.02 * pow(log($0 / 0.005), 2) }
    let steps = Self.walk(path, retention: smooth)
    let refining = steps.filter(\.refines)
    #expect(refining.count < bisections, "\(steps.map(\.lambda))")
    let star: Float = 0.005 * exp(sqrt(2.5))
    let below = steps.filter { $0.meetsEveryGroup(0.95) }.map(\.lambda).max()!
    let above = steps.filter { $0.lambda > below }.map(\.lambda).min()!
    #expect(below <= star && above > star && above / below <= 1.1 + 1e-6)
    // Every λ tried while narrowing lies inside the bracket it narrows, a factor 1.1 from
    // its ends unless it is their midpoint.
    for (i, s) in steps.enumerated() where s.refines {
      let earlier = steps[..<i]
      let lo = earlier.filter { $0.meetsEveryGroup(0.95) }.map(\.lambda).max()!
      let hi = earlier.filter { $0.lambda > lo }.map(\.lambda).min()!
      #expect(s.lambda > lo && s.lambda < hi)
      #expect(s.lambda >= lo * 1.1 * (1 - 1e-5) || abs(s.lambda - (lo * hi).squareRoot()) < 1e-6 * s.lambda)
    }
    // Retentions that do not fall smoothly (a saw-tooth on top of the fall): the bracket is
    // still closed, within twice bisection's steps.
    for phase in stride(from: Float(0), to: 1, by: 0.125) {
      let noisy: (Float) -> Float = { smooth($0) + 0.03 * sin(40 * log($0) + 6.283 * phase) }
      let walked = Self.walk(path, retention: noisy)
      let lo = walked.filter { $0.meetsEveryGroup(0.95) }.map(\.lambda).max()
      if let lo, let hi = walked.filter({ $0.lambda > lo }).map(\.lambda).min() {
        #expect(hi / lo <= 1.1 + 1e-6)
      }
      #expect(walked.filter(\.refines).count <= 2 * bisections, "phase \(phase): \(walked.map(\.lambda))")
    }
  }

  @Test func aTargetNoStepMeetsIsNotBisectedAndTheCapEndsTheBracket() {
    var path = RetentionPathConfig(targets: [0.999])
    (path.startLambda, path.stepFactor, path.maxLambda) = (0.01, 2, 0.1)
    let never = Self.walk(path) { _ in 0.5 }
    #expect(never.count == 1 && !RetentionChoice(target: 0.999, path: never).metByGroup[0])
    let always = Self.walk(path) { _ in 1 }
    #expect(always.map(\.lambda) == [0.01, 0.02, 0.04, 0.08].map { Float($0) })
  }
}
