import Testing
@testable import FourierLens

/// The accuracy probe's reliability measures on a planted problem whose answer is known:
/// the model reads frequency (0, ±2) only (unshifted columns 2 and 6 of row 0), so an
/// input keeps the model's accuracy exactly when that pair is kept and falls to "always
/// class 0" (a small bias breaks the tie) = 50 % when it is removed.
@Suite struct MaskReliabilityTests {
  static let planted = [2, 6]

  static func problem() -> (InMemoryDataset, LinearSoftmaxClassifier) {
    let (data, reference) = MaskLearnerTests.plantedProblem(count: 64)
    let model = LinearSoftmaxClassifier(weights: reference.weights, bias: [0.01, 0], input: [1, 8, 8], mean: [0.5], std: [0.25])
    return (data, model)
  }

  static func run(_ mask: [Float]) throws -> (json: JSONValue, clean: Double) {
    let (data, model) = problem()
    let out = try AccuracyProbe().run(ProbeContext(model: model, dataset: data, mask: ProbeTests.learnedMask(mask),
                                                   batchSize: 16, showsProgress: false))
    return (out.json, try #require(out.json["clean_accuracy"]?.doubleValue))
  }

  static func curve(_ json: JSONValue, _ key: String) -> [Double] { json[key]?.arrayValue?.compactMap(\.doubleValue) ?? [] }

  @Test func aMaskRankingThePlantedPairFirstKeepsAccuracyAtEveryK() throws {
    var mask = [Float](repeating: 0.5, count: 64)
    for i in Self.planted { mask[i] = 0.9 }
    let (json, clean) = try Self.run(mask)
    #expect(clean > 0.95)
    #expect(Self.curve(json, "top_k_percent") == MaskReliability.topPercents)
    #expect(Self.curve(json, "top_k_accuracy") == [Double](repeating: clean, count: 7))
    // All but the top k % never holds the pair; at k = 100 nothing is left at all.
    #expect(Self.curve(json, "all_but_top_k_accuracy") == [Double](repeating: 0.5, count: 7))
    // No value is zero: the paper's complement is all zeros and flagged, not a finding.
    #expect(json["complementary_degenerate"] == .bool(true))
    #expect(json["complement_kept_fraction"]?.doubleValue == 0)
    // 1 % of 64 frequencies is one; the pair is kept whole, so two are.
    #expect(Self.curve(json, "top_k_kept_fraction").first == 2.0 / 64)
  }

  @Test func aMaskRankingThePlantedPairLastLosesItUntilK100() throws {
    var rng = SeededGenerator(seed: 3)
    var mask = (0 ..< 64).map { _ in 0.3 + 0.6 * rng.nextUniform() }
    for i in Self.planted { mask[i] = 0.1 }
    for i in [9, 18, 27, 36, 45] { mask[i] = 0 }  // zeros elsewhere: the complement keeps 5 frequencies
    let (json, clean) = try Self.run(mask)
    #expect(Self.curve(json, "top_k_accuracy") == [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, clean])
    #expect(Self.curve(json, "all_but_top_k_accuracy") == [clean, clean, clean, clean, clean, clean, 0.5])
    #expect(json["complementary_degenerate"] == .bool(false))
    #expect(json["complement_kept_fraction"]?.doubleValue == 5.0 / 64)
    #expect(json["complementary_accuracy"]?.doubleValue == 0.5)
  }

  @Test func dftSelectionsKeepHermitianPairsAndDCTSelectionsSingleFrequencies() throws {
    var rng = SeededGenerator(seed: 9)
    for (h, w) in [(8, 8), (7, 5), (6, 9)] {
      let mask = (0 ..< (2 * h * w)).map { _ in rng.nextUniform() }  // two planes (per-channel)
      for k in MaskReliability.topPercents {
        let keep = try MaskReliability.keepTop(percent: k, of: mask, shape: [2, h, w], transform: .dft)
        for p in 0 ..< 2 {
          for r in 0 ..< h {
            for c in 0 ..< w {
              #expect(keep[p * h * w + r * w + c] == keep[p * h * w + ((h - r) % h) * w + (w - c) % w], "\(h)×\(w) k=\(k)")
            }
          }
        }
        let target = max(1, Int((k / 100 * Double(mask.count)).rounded()))
        let kept = Int(keep.reduce(0, +))
        #expect(kept >= target && kept <= target + 1, "\(h)×\(w) k=\(k): \(kept) for \(target)")
        let dct = try MaskReliability.keepTop(percent: k, of: mask, shape: [2, h, w], transform: .dct)
        #expect(Int(dct.reduce(0, +)) == target)
        // The DCT selection is exactly the `target` largest values.
        let threshold = mask.sorted(by: >)[target - 1]
        #expect(zip(dct, mask).allSatisfy { ($0 == 1) == ($1 >= threshold) })
      }
    }
  }
}
