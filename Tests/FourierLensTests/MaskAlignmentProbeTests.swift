import Foundation
import Testing
@testable import FourierLens

/// The `alignment` probe on planted frequencies: perturbations that are one real Fourier
/// basis image (their DFT magnitude sits at f and −f only), an essential mask on exactly
/// those two frequencies, and adversarial maps either on the same two (cosine 1) or on two
/// others (cosine 0).
@Suite struct MaskAlignmentProbeTests {
  static func indicator(_ indices: [Int]) -> [Float] {
    var m = [Float](repeating: 0, count: 64)
    for i in indices { m[i] = 1 }
    return m
  }

  @Test func plantedFrequenciesGiveCosineOneOrZero() throws {
    // f = (1, 2) and its mirror (7, 6) in the unshifted 8×8 plane.
    let planted = Self.indicator([1 * 8 + 2, 7 * 8 + 6]), other = Self.indicator([3 * 8 + 0, 5 * 8 + 0])
    let basis = FourierHeatmapProbe.basis(fy: 1, fx: 2, height: 8, width: 8)
    let perturbations = Tensor(shape: [3, 1, 8, 8], data: [0.5, -0.2, 1.5].flatMap { a in basis.map { $0 * a } })
    let context = ProbeContext(model: LinearSoftmaxClassifier(weights: [Double](repeating: 0, count: 128), bias: [0, 0],
                                                              input: [1, 8, 8], mean: [0], std: [1]),
                               dataset: InMemoryDataset(batch: ImageBatch(images: Tensor(zeros: [1, 1, 8, 8]), labels: [0], classNames: ["a", "b"]),
                                                        format: "test"),
                               mask: ProbeTests.learnedMask(planted), seed: 3, showsProgress: false)

    let same = try MaskAlignmentProbe(map: ProbeTests.learnedMask(planted), perturbations: perturbations).run(context).json
    let mapCosine = try #require(same["mask_vs_map"]?["cosine"]?.doubleValue)
    #expect(abs(mapCosine - 1) < 1e-9 && same["mask_vs_map"]?["cosine_ci"] == .null, "one unit: no interval")
    let spectrum = try #require(same["mask_vs_perturbation"]?["cosine"]?.doubleValue)
    #expect(spectrum > 0.9999, "the perturbations' spectrum is the planted pair: cosine \(spectrum)")
    #expect(same["mask_vs_perturbation"]?["units"]?.doubleValue == 3)
    let interval = same["mask_vs_perturbation"]?["cosine_ci"]?.arrayValue ?? []
    let ci = interval.compactMap { $0.doubleValue }
    #expect(ci.count == 2 && ci[0] <= spectrum + 1e-9 && ci[1] >= spectrum - 1e-9)
    #expect(abs((same["mask_vs_map"]?["band_correlation"]?.doubleValue ?? 0) - 1) < 1e-6)

    let disjoint = try MaskAlignmentProbe(map: ProbeTests.learnedMask(other), perturbations: perturbations).run(context).json
    #expect(abs(disjoint["mask_vs_map"]?["cosine"]?.doubleValue ?? 1) < 1e-9)
    #expect(abs(disjoint["map_vs_perturbation"]?["cosine"]?.doubleValue ?? 1) < 1e-4)
  }

  @Test func missingMaskOrDirectoryIsAnErrorNamingTheProbe() throws {
    #expect(performing: { _ = try ProbeFactory.make("alignment", host: ProbeHost(registry: PluginRegistry())) }, throws: { "\($0)".contains("adversarial=DIR") })
    #expect(performing: { _ = try ProbeFactory.make("alignment:adversarial=/nonexistent/dir", host: ProbeHost(registry: PluginRegistry())) },
            throws: { "\($0)".contains("/nonexistent/dir/perturbation.npy") })
  }
}
