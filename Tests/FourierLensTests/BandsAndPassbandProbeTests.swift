import Foundation
import Testing
@testable import FourierLens

@Suite struct BandsAndPassbandProbeTests {
  /// The planted model reads only the horizontal frequency (0, ±2) of 8×8 images, which lies
  /// in radial band 1 of 4 and in angular sector 0 (horizontal) of 4 folded sectors.
  @Test func passbandFindsThePlantedRadiusAndDirection() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 16)
    let out = try PassbandProbe(radialBands: 4, angularSectors: 4)
      .run(ProbeContext(model: model, dataset: data, batchSize: 16, showsProgress: false))
    func values(_ key: String) -> [Double] { out.json[key]!.arrayValue!.map { $0.doubleValue! } }
    // Where the planted frequency is kept the model is perfect; where it is removed the
    // logits vanish and the model is at chance (ties broken by rounding), so ≤ 0.7.
    func check(_ key: String, kept: [Bool]) {
      for (v, k) in zip(values(key), kept) { #expect(k ? v == 1 : v <= 0.7, "\(key): \(values(key))") }
    }
    check("lowpass_accuracy", kept: [false, true, true, true])
    check("highpass_accuracy", kept: [true, true, false, false])
    check("sector_only_accuracy", kept: [true, false, false, false])
    check("sector_removed_accuracy", kept: [false, true, true, true])
    #expect(out.table.rows.count == 16)
  }

  @Test func bootstrapIntervalCoversTheTruthAndSeparatesDifferentMeans() {
    var rng = SeededGenerator(seed: 9)
    let a = (0..<12).map { _ in [1 + 0.1 * rng.nextGaussian(), 0.1 * rng.nextGaussian()] }
    let b = (0..<12).map { _ in [0 + 0.1 * rng.nextGaussian(), 0.1 * rng.nextGaussian()] }
    let ci = Bootstrap.differenceInterval(a, b, resamples: 2000, seed: 1)
    #expect(ci.low[0] > 0.8 && ci.high[0] < 1.2)   // true difference 1, clearly away from 0
    #expect(ci.low[1] < 0 && ci.high[1] > 0)       // true difference 0
    let again = Bootstrap.differenceInterval(a, b, resamples: 2000, seed: 1)
    #expect(again.low == ci.low && again.high == ci.high)
  }

  /// A low-pass mask against an all-ones baseline: more energy in the low radial bands.
  @Test func bandsProbeMeasuresTheShiftToLowFrequencies() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 4)
    let radial = try FrequencyBands.radialBandIndex(height: 8, width: 8, bands: 4, metric: .euclidean)
    let lowpass = ProbeTests.learnedMask(radial.map { $0 < 2 ? 1 : 0 })
    let ones = ProbeTests.learnedMask(.init(repeating: 1, count: 64))
    let probe = try BandsProbe(radialBands: 4, angularSectors: 4, baseline: ones)
    let out = try probe.run(ProbeContext(model: model, dataset: data, mask: lowpass, showsProgress: false))
    let difference = out.json["radial_difference"]!.arrayValue!.map { $0.doubleValue! }
    #expect(difference[0] > 0 && difference[1] > 0)
    #expect(difference[2] < 0 && difference[3] < 0)
    #expect(out.json["low_frequency_share_difference"]!.doubleValue! > 0)
    // One sample per side: no interval is claimed.
    #expect(out.json["radial_difference_ci"] == nil)
    // Energies of the all-ones mask: √(band size / 64).
    let sizes = FrequencyBands.bandSizes(index: radial, count: 4)
    let own = try probe.profiles(ones)[0]
    for b in 0..<4 { #expect(abs(Double(own[b]) - (Double(sizes[b]) / 64).squareRoot()) < 1e-6) }
  }

  @Test func bandsProbeNeedsAMask() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 2)
    #expect(throws: FourierLensError.self) {
      try BandsProbe().run(ProbeContext(model: model, dataset: data, showsProgress: false))
    }
  }
}
