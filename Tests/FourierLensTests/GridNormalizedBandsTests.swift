import Foundation
import Testing
@testable import FourierLens

/// Profiles net of the grid against masks whose answer is known without the library:
/// anything that depends on the radius alone is flat at 1 and has anisotropy 0.
@Suite struct GridNormalizedBandsTests {
  /// Signed frequencies (f_x, f_y) of unshifted index (r, c), NumPy's fftfreq convention
  /// (f_y upwards) for the DFT, the coefficient index for the DCT; independent of the library.
  static func frequency(_ r: Int, _ c: Int, _ h: Int, _ w: Int, _ transform: TransformKind) -> (Int, Int) {
    func signed(_ k: Int, _ n: Int) -> Int { k < (n + 1) / 2 ? k : k - n }
    // The library's centred layout puts −n/2 (even n) on the negative side, as fftfreq does.
    return transform == .dct ? (c, r) : (signed(c, w), -signed(r, h))
  }

  /// A mask whose value is f(radius) under `metric`: constant on every shell.
  static func radialMask(_ h: Int, _ w: Int, _ planes: Int, _ metric: RadiusMetric, _ transform: TransformKind,
                         _ f: (Double) -> Float) -> Tensor {
    var plane = [Float]()
    for r in 0..<h {
      for c in 0..<w {
        let (x, y) = frequency(r, c, h, w, transform)
        plane.append(f(metric == .euclidean ? Double(x * x + y * y).squareRoot() : Double(abs(x) + abs(y))))
      }
    }
    return Tensor(shape: planes == 1 ? [h, w] : [planes, h, w], data: Array((0..<planes).map { _ in plane }.joined()))
  }

  static let grids = [(8, 8), (9, 9), (16, 12), (15, 20), (32, 32), (7, 10)]

  @Test(arguments: [TransformKind.dft, .dct], [RadiusMetric.euclidean, .l1])
  func allOnesIsOneEverywhere(transform: TransformKind, metric: RadiusMetric) throws {
    for (h, w) in Self.grids {
      for fold in [false, true] {
        let p = try FrequencyBands.gridNormalizedProfile(Self.radialMask(h, w, 3, metric, transform) { _ in 1 },
                                                         radial: 4, angular: 8, metric: metric, foldOpposite: fold,
                                                         transform: transform)
        for v in p.radial + p.angular { #expect(abs(v - 1) < 1e-5, "\(h)×\(w) \(transform) \(metric) fold \(fold): \(p)") }
        #expect(abs(p.anisotropy) < 1e-5)
      }
    }
  }

  @Test(arguments: [TransformKind.dft, .dct], [RadiusMetric.euclidean, .l1])
  func lowPassDiskAndGaussianAreFlatAtOne(transform: TransformKind, metric: RadiusMetric) throws {
    // DCT sectors are 90°/N wide: with 8 of them some hold no frequency of radius ≤ 4
    // (undefined, NaN); 4 sectors of 22.5° are as wide as 8 folded DFT sectors.
    let sectors = transform == .dft ? 8 : 4
    for (h, w) in Self.grids {
      let disk = Self.radialMask(h, w, 1, metric, transform) { $0 <= 4 ? 1 : 0 }
      let gaussian = Self.radialMask(h, w, 2, metric, transform) { Float(exp(-$0 * $0 / 18)) }
      for mask in [disk, gaussian] {
        let p = try FrequencyBands.gridNormalizedProfile(mask, radial: 6, angular: sectors, metric: metric, foldOpposite: true,
                                                         transform: transform)
        for v in p.angular { #expect(abs(v - 1) < 1e-5, "\(h)×\(w) \(transform) \(metric): \(p.angular)") }
        #expect(abs(p.anisotropy) < 1e-5)
      }
    }
  }

  /// The case: on 32×32 a radius-4 disk's raw sector energies vary with the grid
  /// (0.32–0.38); net of the grid they do not.
  @Test func rawSectorsOfADiskCarryTheGridNormalizedOnesDoNot() throws {
    let disk = Self.radialMask(32, 32, 1, .euclidean, .dft) { $0 <= 4 ? 1 : 0 }
    let raw = try FrequencyBands.angularEnergies(disk.data, shape: disk.shape, sectors: 8, foldOpposite: true)
    #expect(raw.max()! - raw.min()! > 0.01)
    let p = try FrequencyBands.gridNormalizedProfile(disk, radial: 8, angular: 8, foldOpposite: true)
    #expect(p.angular.allSatisfy { abs($0 - 1) < 1e-5 })
  }

  @Test(arguments: [TransformKind.dft, .dct]) func oneSectorMaskPeaksInItsSector(transform: TransformKind) throws {
    let h = 16, w = 16, sectors = 6
    let index = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: sectors, foldOpposite: true,
                                                      transform: transform)
    for target in 0..<sectors {
      var g = SeededGenerator(seed: UInt64(target))
      // Weak everywhere, strong in one sector.
      let mask = Tensor(shape: [h, w], data: index.map { $0 == target ? 1 + g.nextUniform() : 0.1 * g.nextUniform() })
      let p = try FrequencyBands.gridNormalizedProfile(mask, radial: 4, angular: sectors, foldOpposite: true, transform: transform)
      #expect(p.angular.firstIndex(of: p.angular.max()!) == target, "\(transform) sector \(target): \(p.angular)")
      #expect(p.angular[target] > 1 && p.anisotropy > 0.5)
    }
  }

  @Test func undefinedBandsAndSectorsAreNaN() throws {
    // 4×4 with 16 radial bands: some bands hold no frequency. A zero mask: nothing is defined.
    let ones = try FrequencyBands.gridNormalizedProfile(Tensor(repeating: 1, shape: [4, 4]), radial: 16, angular: 2)
    #expect(ones.radial.contains { $0.isNaN } && ones.radial.filter(\.isFinite).allSatisfy { abs($0 - 1) < 1e-6 })
    let zero = try FrequencyBands.gridNormalizedProfile(Tensor(zeros: [4, 4]), radial: 2, angular: 2)
    let everything = zero.radial + zero.angular + [zero.anisotropy]
    #expect(everything.allSatisfy { $0.isNaN })
  }

  @Test func bandsProbeReportsTheNormalizedProfilesAndTheirDifferences() throws {
    let (data, model) = MaskLearnerTests.plantedProblem(count: 2)
    let disk = Self.radialMask(8, 8, 1, .euclidean, .dft) { $0 <= 2 ? 1 : 0 }
    let index = try FrequencyBands.angularSectorIndex(height: 8, width: 8, sectors: 4, foldOpposite: true)
    let horizontal = index.map { $0 == 0 ? Float(1) : 0.2 }
    let probe = try BandsProbe(radialBands: 4, angularSectors: 4, baseline: ProbeTests.learnedMask(disk.data))
    let out = try probe.run(ProbeContext(model: model, dataset: data, mask: ProbeTests.learnedMask(horizontal),
                                         showsProgress: false))
    func list(_ key: String) -> [Double] { out.json[key]!.arrayValue!.map { $0.doubleValue! } }
    #expect(list("angular_normalized")[0] > 1 && out.json["anisotropy"]!.doubleValue! > 0.3)
    // The disk is flat at 1 with anisotropy 0, so the differences are the mask's own profile minus 1 and its anisotropy.
    for (d, v) in zip(list("angular_normalized_difference"), list("angular_normalized")) { #expect(abs(d - (v - 1)) < 1e-5) }
    #expect(abs(out.json["anisotropy_difference"]!.doubleValue! - out.json["anisotropy"]!.doubleValue!) < 1e-5)
    #expect(list("radial_normalized").count == 4)
    #expect(out.table.rows.filter { $0[0] == "angular_normalized" }.count == 4)
  }
}
