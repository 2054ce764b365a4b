import Testing
@testable import FourierLens

/// The seed interval against hand-computed Student-t intervals and published t quantiles.
@Suite struct SeedIntervalTests {
  @Test func fiveValuesGiveTheStudentTInterval() {
    // Squared deviations sum to 0.025, so the sample sd is √(0.025/4); t₀.₉₇₅(4) = 2.776.
    let i = SeedInterval([0.7, 0.75, 0.8, 0.85, 0.9])
    let sd = (0.025 / 4).squareRoot()
    #expect(abs(i.mean - 0.8) < 1e-12 && abs(i.standardDeviation - sd) < 1e-12)
    let half = 2.776 * sd / 5.0.squareRoot()
    #expect(abs(i.low! - (0.8 - half)) < 1e-12 && abs(i.high! - (0.8 + half)) < 1e-12)
  }

  @Test func oneValueHasNoInterval() {
    let i = SeedInterval([0.42])
    #expect(i.mean == 0.42 && i.low == nil && i.high == nil && i.standardDeviation == 0)
  }

  @Test func quantilesBeyondTheTableFollowTheExpansion() {
    // Published t₀.₉₇₅ values: df 40 → 2.0211, 60 → 2.0003, 120 → 1.9799.
    #expect(abs(SeedInterval.t975(degreesOfFreedom: 40) - 2.0211) < 2e-4)
    #expect(abs(SeedInterval.t975(degreesOfFreedom: 60) - 2.0003) < 2e-4)
    #expect(abs(SeedInterval.t975(degreesOfFreedom: 120) - 1.9799) < 2e-4)
    #expect(SeedInterval.t975(degreesOfFreedom: 4) == 2.776)
  }
}
