import Foundation
import Testing
@testable import FourierLens

/// Every bundled mask, loaded from libFLMasks.so and used through the ABI and the host's
/// adapter, against finite differences and against what it is supposed to compute.
@Suite("Bundled mask plugins")
struct MaskPluginTests {
  let registry = TestSupport.bundled

  static let specs = [
    "free", "symmetric", "radial:bands=5", "angular:sectors=6", "radial-angular:bands=3,sectors=4",
    "lowpass", "lowpass:shape=butterworth,order=3,radius=0.3",
  ]

  @Test("VJP matches finite differences", arguments: specs, [MaskLayout.shared, .perChannel])
  func vjpMatchesFiniteDifferences(spec: String, layout: MaskLayout) throws {
    for transform in TransformKind.allCases {
      if spec == "symmetric" && transform == .dct { continue }
      let mask = try registry.makeMask(spec, channels: 3, height: 8, width: 10, layout: layout, transform: transform)
      let check = try MaskVJPCheck.run(mask, seed: 7)
      #expect(check.maxRelativeError < 1e-3, "\(spec) \(layout) \(transform): \(check.directions)")
      #expect(mask.maskShape == (layout == .shared ? [8, 10] : [3, 8, 10]))
    }
  }

  @Test func freeMaskIsTheIdentityInitialisedToOneAndClamped() throws {
    let mask = try registry.makeMask("free", channels: 3, height: 4, width: 5, layout: .perChannel)
    #expect(mask.parameterCount == 60)
    let theta0 = try mask.initialParameters()
    #expect(theta0 == [Float](repeating: 1, count: 60))
    var theta = (0..<60).map { Float($0) / 20 - 1 }
    #expect(try mask.mask(theta) == theta)
    try mask.project(&theta)
    #expect(theta == (0..<60).map { min(1, max(0, Float($0) / 20 - 1)) })
    let shared = try registry.makeMask("free:init=0.5,clamp=false", channels: 3, height: 4, width: 5)
    #expect(shared.parameterCount == 20)
    #expect(try shared.initialParameters() == [Float](repeating: 0.5, count: 20))
    var wide: [Float] = (0..<20).map { Float($0) - 5 }
    let before = wide
    try shared.project(&wide)
    #expect(wide == before)
  }

  @Test func symmetricMaskHasHalfTheParametersAndIsPointSymmetric() throws {
    // 6×8: self-conjugate frequencies are (0|3, 0|4): 4 of them, so (48 + 4) / 2 = 26 pairs.
    let mask = try registry.makeMask("symmetric", channels: 1, height: 6, width: 8)
    #expect(mask.parameterCount == 26)
    // 5×7 (odd): only DC is its own mirror: (35 + 1) / 2 = 18.
    #expect(try registry.makeMask("symmetric", channels: 1, height: 5, width: 7).parameterCount == 18)
    let theta = (0..<26).map { Float($0) }
    let m = try mask.mask(theta)
    for y in 0..<6 {
      for x in 0..<8 {
        #expect(m[y * 8 + x] == m[((6 - y) % 6) * 8 + (8 - x) % 8])
      }
    }
    #expect(Set(m).count == 26)
    // The DCT has no Hermitian pairs: a clear error, naming the library.
    #expect {
      _ = try registry.makeMask("symmetric", channels: 1, height: 6, width: 8, transform: .dct)
    } throws: { error in
      "\(error)".contains("libFLMasks") && "\(error)".contains("needs the DFT")
    }
  }

  @Test func radialMaskFollowsTheHostBandMap() throws {
    let mask = try registry.makeMask("radial:bands=4", channels: 3, height: 9, width: 9)
    #expect(mask.parameterCount == 4)
    let m = try mask.mask([0.1, 0.2, 0.3, 0.4])
    let bands = try FrequencyBands.radialBandIndex(height: 9, width: 9, bands: 4, metric: .euclidean)
    for k in 0..<81 { #expect(m[k] == [0.1, 0.2, 0.3, 0.4][bands[k]]) }
    #expect(m[0] == 0.1)  // DC is in the innermost band
    // Radius grows with frequency: the ring index never decreases along the first row up to Nyquist.
    let row = (0...4).map { Int(bands[$0]) }
    #expect(row == row.sorted())
  }

  @Test func angularMaskIsFoldedSoItIsPointSymmetric() throws {
    for (h, w) in [(8, 8), (9, 12), (16, 10)] {
      let mask = try registry.makeMask("angular:sectors=8", channels: 1, height: h, width: w)
      #expect(mask.parameterCount == 8)
      let m = try mask.mask((0..<8).map { Float($0) })
      for y in 0..<h {
        for x in 0..<w {
          // Nyquist frequencies are their own mirrors on the grid but not as angles; skip them.
          if (h % 2 == 0 && y == h / 2) || (w % 2 == 0 && x == w / 2) { continue }
          #expect(m[y * w + x] == m[((h - y) % h) * w + (w - x) % w], "\(h)x\(w) at \(y),\(x)")
        }
      }
      // Horizontal frequencies (row 0) are sector 0, vertical ones (column 0) sector 4 of 8 (90°).
      #expect(m[1] == 0)
      #expect(m[1 * w] == 4)
    }
  }

  @Test func lowpassMaskIsOneHalfAtTheRadiusAndDecreasing() throws {
    for shape in ["gaussian", "butterworth"] {
      let mask = try registry.makeMask("lowpass:shape=\(shape),radius=0.4", channels: 1, height: 32, width: 32)
      #expect(mask.parameterCount == 1)
      let theta = try mask.initialParameters()
      #expect(theta == [0.4])
      let m = try mask.mask(theta)
      let radius = FrequencyGrid.normalisedRadius(.dft, height: 32, width: 32)
      #expect(m[0] == 1)
      for k in 0..<1024 {
        #expect(m[k] > 0 && m[k] <= 1)
        if abs(radius[k] - 0.4) < 1e-6 { #expect(abs(m[k] - 0.5) < 1e-5) }
      }
      // Monotone in the radius.
      let order = (0..<1024).sorted { radius[$0] < radius[$1] }
      for (a, b) in zip(order, order.dropFirst()) where radius[b] > radius[a] + 1e-6 { #expect(m[b] <= m[a] + 1e-6) }
      var tiny: [Float] = [-3]
      try mask.project(&tiny)
      #expect(tiny == [0.01])
    }
  }

  @Test func wrongThetaLengthIsAShapeErrorNotACrash() throws {
    let mask = try registry.makeMask("radial:bands=3", channels: 1, height: 4, width: 4)
    #expect(throws: FourierLensError.self) { _ = try mask.mask([1, 2]) }
    #expect(throws: FourierLensError.self) { _ = try mask.vectorJacobianProduct([1, 2, 3], maskGradient: [1]) }
  }
}
