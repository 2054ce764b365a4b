import Foundation
import Testing
@testable import FourierLens

@Suite struct OptimizerTests {
  /// Adam's first step moves every parameter by exactly lr against the gradient's sign
  /// (m̂ = g, v̂ = g², so m̂/√v̂ = sign g), whatever the gradient's scale.
  @Test func adamFirstStepIsLearningRateTimesSign() {
    var adam = Adam(parameterCount: 3)
    var theta: [Float] = [1, 1, 1]
    adam.step(&theta, gradient: [1000, -0.001, 0], learningRate: 0.1)
    #expect(abs(theta[0] - 0.9) < 1e-6)
    #expect(abs(theta[1] - 1.1) < 1e-4)
    #expect(theta[2] == 1)
  }

  /// Minimises a convex quadratic; checks against the analytic optimum.
  @Test func adamConvergesOnQuadratic() {
    let target: [Float] = [3, -2, 0.5]
    var theta: [Float] = [0, 0, 0]
    var adam = Adam(parameterCount: 3)
    for _ in 0..<2000 {
      let grad = zip(theta, target).map { 2 * ($0 - $1) }
      adam.step(&theta, gradient: grad, learningRate: 0.05)
    }
    for (a, b) in zip(theta, target) { #expect(abs(a - b) < 1e-3) }
  }

  /// Matches torch.optim.Adam's first three steps on f(θ) = Σ θ³ (values computed by hand from
  /// the update rule, which PyTorch documents).
  @Test func adamMatchesReferenceUpdateRule() {
    var theta: [Float] = [0.5, -1.0]
    var adam = Adam(parameterCount: 2)
    var m: [Double] = [0, 0], v: [Double] = [0, 0], ref: [Double] = [0.5, -1.0]
    for t in 1...3 {
      let grad = theta.map { 3 * $0 * $0 }
      adam.step(&theta, gradient: grad, learningRate: 0.01)
      for i in 0..<2 {
        let g = 3 * ref[i] * ref[i]
        m[i] = 0.9 * m[i] + 0.1 * g
        v[i] = 0.999 * v[i] + 0.001 * g * g
        let mh = m[i] / (1 - pow(0.9, Double(t))), vh = v[i] / (1 - pow(0.999, Double(t)))
        ref[i] -= 0.01 * mh / (vh.squareRoot() + 1e-8)
      }
    }
    for i in 0..<2 { #expect(abs(Double(theta[i]) - ref[i]) < 1e-6) }
  }

  @Test func adamUpdatesOnlyActiveGroups() {
    var adam = Adam(parameterCount: 4, groups: 2)
    var theta: [Float] = [1, 1, 1, 1]
    adam.step(&theta, gradient: [1, 1, 1, 1], learningRate: 0.1, activeGroups: [1])
    #expect(theta[0] == 1 && theta[1] == 1)
    #expect(abs(theta[2] - 0.9) < 1e-6 && abs(theta[3] - 0.9) < 1e-6)
    #expect(adam.steps == [0, 1])
  }

  /// The schedule starts at max/25, peaks at max at the end of warm-up, ends at max/25/1e4.
  @Test func oneCycleShape() {
    let s = OneCycleSchedule(maxLR: 0.01, totalSteps: 101, warmupFraction: 0.1)
    #expect(abs(s.learningRate(at: 0) - 0.0004) < 1e-9)
    let peakStep = 9  // 101·0.1 − 1 = 9.1: the rate peaks between steps 9 and 10
    #expect(s.learningRate(at: peakStep) > 0.0099)
    #expect(abs(s.learningRate(at: 100) - 0.01 / 25 / 1e4) < 1e-10)
    // Monotone up during warm-up, monotone down after.
    for t in 1...peakStep { #expect(s.learningRate(at: t) >= s.learningRate(at: t - 1)) }
    for t in (peakStep + 2)...100 { #expect(s.learningRate(at: t) <= s.learningRate(at: t - 1)) }
  }
}
