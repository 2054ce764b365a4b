import Foundation
import Testing
@testable import FourierLensReport

@Suite struct NiceScaleTests {
  @Test func unitRangeGetsTenthsInSteps() {
    let s = NiceScale(minimum: 0, maximum: 1, maxTicks: 6)
    #expect(s.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1])
    #expect(s.step == 0.2 && s.decimals == 1)
    #expect(s.ticks.map(s.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
  }

  @Test func rangeIsWidenedOutwardsToWholeSteps() {
    let s = NiceScale(minimum: 0, maximum: 0.87, maxTicks: 6)
    #expect(s.lower == 0 && s.upper == 1 && s.step == 0.2)
    let signed = NiceScale(minimum: -0.034, maximum: 0.052, maxTicks: 6)
    #expect(signed.step == 0.02)
    #expect(signed.ticks == [-0.04, -0.02, 0, 0.02, 0.04, 0.06])
    // Typographic minus, and zero without a sign.
    #expect(signed.label(-0.04) == "\u{2212}0.04")
    #expect(signed.label(0) == "0.00")
    #expect(NiceScale(minimum: 0, maximum: 100, maxTicks: 6).ticks == [0, 20, 40, 60, 80, 100])
    #expect(NiceScale(minimum: 0, maximum: 22.6, maxTicks: 7).ticks == [0, 5, 10, 15, 20, 25])
  }

  @Test func twoAndAHalfNeedsOneMoreDecimal() {
    let s = NiceScale(minimum: 0, maximum: 10, maxTicks: 5)
    #expect(s.ticks == [0, 2.5, 5, 7.5, 10])
    #expect(s.decimals == 1)
    #expect(s.label(7.5) == "7.5")
    let big = NiceScale(minimum: 0, maximum: 1000, maxTicks: 5)
    #expect(big.ticks == [0, 250, 500, 750, 1000] && big.decimals == 0)
  }

  @Test func aSingleValueGetsARangeAroundIt() {
    let zero = NiceScale(minimum: 0, maximum: 0)
    #expect(zero.lower < 0 && zero.upper > 0 && zero.ticks.contains(0))
    let three = NiceScale(minimum: 3, maximum: 3)
    #expect(three.lower <= 3 && three.upper >= 3 && three.lower < three.upper)
    // Non-finite input falls back to a usable range instead of trapping.
    let nan = NiceScale(minimum: .nan, maximum: .infinity)
    #expect(nan.lower == 0 && nan.upper == 1)
    // Far from zero with a small step, labels keep the digits that tell ticks apart.
    let offset = NiceScale(minimum: 5.0000012, maximum: 5.0000018, maxTicks: 5)
    #expect(Set(offset.ticks.map(offset.label)).count == offset.ticks.count, "\(offset.ticks.map(offset.label))")
  }

  /// For many random ranges: at most maxTicks ticks (3 for a range across zero, which needs
  /// ticks below, at and above it), covering the range, equally spaced by a step of 1, 2,
  /// 2.5 or 5 × 10^k, with distinct labels.
  @Test func randomRangesSatisfyTheContract() {
    var state: UInt64 = 12345
    func uniform() -> Double {
      state = state &* 6364136223846793005 &+ 1442695040888963407
      return Double(state >> 11) / Double(1 << 53)
    }
    for _ in 0..<2000 {
      let magnitude = pow(10, uniform() * 12 - 6)
      let a = (uniform() * 2 - 1) * magnitude, b = (uniform() * 2 - 1) * magnitude
      let maxTicks = 2 + Int(uniform() * 9)
      let s = NiceScale(minimum: a, maximum: b, maxTicks: maxTicks)
      let limit = min(a, b) < 0 && max(a, b) > 0 ? max(3, maxTicks) : maxTicks
      #expect(s.ticks.count <= limit && s.ticks.count >= 2, "\(a)…\(b) max \(maxTicks): \(s.ticks) step \(s.step)")
      let tolerance = s.step * 1e-6
      #expect(s.lower <= min(a, b) + tolerance && s.upper >= max(a, b) - tolerance, "\(a)…\(b): \(s.lower)…\(s.upper)")
      let exponent = (log10(s.step)).rounded(.down)
      let mantissa = s.step / pow(10, exponent)
      #expect([1, 2, 2.5, 5].contains { abs($0 - mantissa) < 1e-9 } || abs(mantissa - 10) < 1e-9, "step \(s.step)")
      for (t0, t1) in zip(s.ticks, s.ticks.dropFirst()) { #expect(abs((t1 - t0) - s.step) <= s.step * 1e-9 + 1e-300) }
      #expect(Set(s.ticks.map(s.label)).count == s.ticks.count, "labels \(s.ticks.map(s.label))")
    }
  }

  @Test func logScaleUsesDecadesOrOneTwoFive() {
    func close(_ a: [Double], _ b: [Double]) -> Bool { a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * abs($1) } }
    let wide = LogScale(minimum: 0.0012, maximum: 0.5)
    #expect(close(wide.ticks, [0.001, 0.01, 0.1, 1]), "\(wide.ticks)")
    #expect(wide.label(0.001) == "10\u{207B}\u{00B3}")
    #expect(wide.label(1) == "10\u{2070}")
    // Three decades are labelled as such; fewer get the 2× and 5× marks too.
    #expect(close(LogScale(minimum: 1, maximum: 50).ticks, [1, 10, 100]))
    let narrow = LogScale(minimum: 1, maximum: 9)
    #expect(close(narrow.ticks, [1, 2, 5, 10]), "\(narrow.ticks)")
    #expect(narrow.ticks.map(narrow.label) == ["1", "2", "5", "10"])
    let small = LogScale(minimum: 2e-5, maximum: 8e-5)
    #expect(small.ticks.map(small.label) == ["10\u{207B}\u{2075}", "2×10\u{207B}\u{2075}", "5×10\u{207B}\u{2075}", "10\u{207B}\u{2074}"])
  }

  @Test func automaticAxisGoesLogarithmicOnlyForPositiveDecades() {
    #expect(ValueAxis.automatic(covering: [0.001, 0.5]).isLogarithmic)
    #expect(!ValueAxis.automatic(covering: [0.1, 0.5]).isLogarithmic)
    #expect(!ValueAxis.automatic(covering: [0, 0.001, 0.5]).isLogarithmic)
    let log = ValueAxis.automatic(covering: [0.001, 0.5])
    #expect(abs(log.fraction(0.01) - 1.0 / 3) < 1e-12)
  }
}
