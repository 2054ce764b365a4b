import Foundation
import Testing
@testable import FourierLens

@Suite struct MaskLossTests {
  /// exp((mean ℓ − mean ℓ⁰)²) and its derivative, by hand, for one group.
  @Test func paperInvarianceMatchesHandComputation() {
    let t = MaskLoss.terms(objective: .paper, maskedLoss: [1.0, 2.0], cleanLoss: [0.5, 0.5],
                           group: [0, 0], groupCount: 1)
    // d = 1.5 − 0.5 = 1; I = 1; exp(I) = e; ∂/∂ℓᵢ = e · 2d / 2 = e.
    #expect(abs(t.distortion[0] - 1) < 1e-6)
    #expect(abs(t.dataTerm[0] - Float(M_E)) < 1e-5)
    #expect(abs(t.sampleWeights[0] - Float(M_E)) < 1e-5)
    #expect(t.sampleWeights[0] == t.sampleWeights[1])
  }

  /// The weights are the derivative of the summed data term: check by finite differences.
  @Test func weightsAreFiniteDifferenceDerivatives() {
    let masked: [Double] = [0.3, 1.2, 0.7, 2.0, 0.1]
    let clean: [Double] = [0.2, 0.9, 0.5, 0.4, 0.3]
    let group = [0, 1, 0, 2, 1]
    for objective in MaskObjective.allCases {
      let base = MaskLoss.terms(objective: objective, maskedLoss: masked, cleanLoss: clean, group: group, groupCount: 4)
      #expect(base.groupSizes == [2, 2, 1, 0])
      #expect(base.dataTerm[3] == 0)
      for i in masked.indices {
        let h = 1e-3
        var up = masked, down = masked
        up[i] += h; down[i] -= h
        let fUp = MaskLoss.terms(objective: objective, maskedLoss: up, cleanLoss: clean, group: group, groupCount: 4).dataTerm.reduce(0, +)
        let fDown = MaskLoss.terms(objective: objective, maskedLoss: down, cleanLoss: clean, group: group, groupCount: 4).dataTerm.reduce(0, +)
        let numeric = Float(Double(fUp - fDown) / (2 * h))
        #expect(abs(numeric - base.sampleWeights[i]) < 2e-3 * max(1, abs(numeric)), "objective \(objective), image \(i)")
      }
    }
  }

  @Test func entropyOfUniformIsLogK() {
    let p = MaskLoss.softmax([0, 0, 0, 0][...])
    #expect(abs(MaskLoss.entropy(p) - log(4.0)) < 1e-6)
  }
}
