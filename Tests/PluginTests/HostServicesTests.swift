import FourierLensPluginABI
import Foundation
import Testing
@testable import FourierLens

/// The host-services table as a plugin sees it: through the C function pointers.
@Suite("Host services")
struct HostServicesTests {
  let host = PluginHostServices.table.pointee

  @Test func tableHeader() {
    #expect(host.struct_size == UInt32(MemoryLayout<flens_host_services>.size))
    #expect(host.abi_version == FLENS_PLUGIN_ABI_VERSION)
  }

  @Test func randomStreamsAreTheCoresSeededGenerator() {
    var state: UInt64 = 77
    var u = [Float](repeating: 0, count: 5), g = [Float](repeating: 0, count: 3), v = [Float](repeating: 0, count: 2)
    host.rng_uniform(&state, &u, 5)
    host.rng_gaussian(&state, &g, 3)
    host.rng_uniform(&state, &v, 2)
    var reference = SeededGenerator(seed: 77)
    let expected = (0..<5).map { _ in reference.nextUniform() } + (0..<3).map { _ in reference.nextGaussian() }
      + (0..<2).map { _ in reference.nextUniform() }
    #expect(u + g + v == expected)
    #expect(host.rng_derive(5, 9) == SeededGenerator.derive(5, 9))
  }

  @Test func transformsAreTheCoresDFTAndDCT() throws {
    var rng = SeededGenerator(seed: 3)
    let x = (0..<(2 * 6 * 5)).map { _ in rng.nextUniform() }
    var re = [Float](repeating: 0, count: 60), im = re, back = re
    #expect(host.transform_forward(FLENS_TRANSFORM_DFT.rawValue, 2, 6, 5, x, &re, &im) == 0)
    let dft = try DFT2D.forward(Tensor(shape: [2, 6, 5], data: x))
    #expect(re == dft.real && im == dft.imag)
    #expect(host.transform_inverse(FLENS_TRANSFORM_DFT.rawValue, 2, 6, 5, re, im, &back) == 0)
    #expect(zip(back, x).map { abs($0 - $1) }.max()! < 1e-5)
    var c = [Float](repeating: 0, count: 60)
    #expect(host.transform_forward(FLENS_TRANSFORM_DCT.rawValue, 2, 6, 5, x, &c, nil) == 0)
    #expect(c == (try DCT2D.forward(Tensor(shape: [2, 6, 5], data: x))).data)
    // Misuse is an error status with a message, not a crash.
    PluginCallContext.current.errorMessage = nil
    #expect(host.transform_forward(FLENS_TRANSFORM_DCT.rawValue, 2, 6, 5, x, &c, &im) != 0)
    #expect(PluginCallContext.current.errorMessage?.contains("DCT is real") == true)
    #expect(host.transform_forward(9, 2, 6, 5, x, &c, &im) != 0)
    #expect(host.transform_forward(FLENS_TRANSFORM_DFT.rawValue, 0, 6, 5, x, &re, &im) != 0)
  }

  @Test func applyMaskIsTheCoresMaskOperator() throws {
    var rng = SeededGenerator(seed: 4)
    let x = (0..<(2 * 3 * 4 * 4)).map { _ in rng.nextUniform() }
    let mask = (0..<(3 * 16)).map { _ in rng.nextUniform() }
    var y = x
    #expect(host.apply_mask(FLENS_TRANSFORM_DFT.rawValue, &y, 2, 3, 4, 4, mask, 3) == 0)
    let op = try MaskOperator(kind: .dft, channels: 3, height: 4, width: 4, layout: .perChannel)
    try op.setInput(Tensor(shape: [2, 3, 4, 4], data: x))
    #expect(y == (try op.apply(masks: mask, maskCount: 1, assignment: nil)).data)
    #expect(host.apply_mask(FLENS_TRANSFORM_DFT.rawValue, &y, 2, 3, 4, 4, mask, 2) != 0)
  }

  @Test func frequencyGridAndBandMap() throws {
    var fy = [Float](repeating: 0, count: 20), fx = fy
    #expect(host.frequency_grid(FLENS_TRANSFORM_DFT.rawValue, 4, 5, &fy, &fx) == 0)
    #expect(Array(fx[0..<5]) == [0, 0.2, 0.4, -0.4, -0.2])
    #expect(stride(from: 0, to: 20, by: 5).map { fy[$0] } == [0, 0.25, -0.5, -0.25])
    #expect(host.frequency_grid(FLENS_TRANSFORM_DCT.rawValue, 4, 5, &fy, &fx) == 0)
    #expect(Array(fx[0..<5]) == [0, 0.1, 0.2, 0.3, 0.4])

    var map = [Int32](repeating: 0, count: 12 * 10)
    #expect(host.band_map(FLENS_TRANSFORM_DFT.rawValue, 12, 10, 3, 4, &map) == 0)
    let radial = try FrequencyBands.radialBandIndex(height: 12, width: 10, bands: 3, metric: .euclidean)
    let angular = try FrequencyBands.angularSectorIndex(height: 12, width: 10, sectors: 4)
    for k in 0..<120 { #expect(Int(map[k]) == radial[k] * 4 + max(0, angular[k])) }
    #expect(host.band_map(FLENS_TRANSFORM_DFT.rawValue, 12, 10, 0, 4, &map) != 0)
  }
}
