import Foundation
import Testing
@testable import FourierLens

/// Every bundled augmentation, loaded from libFLAugmentations.so: deterministic for a seed,
/// shape and [0, 1] kept, and each does what it says on cases with a known answer.
@Suite("Bundled augmentation plugins")
struct AugmentationPluginTests {
  let registry = TestSupport.bundled

  /// A batch of smooth-ish random images in [0.1, 0.9] (4 × 3 × 12 × 12).
  static func images(seed: UInt64 = 1, count: Int = 4, size: Int = 12) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: [count, 3, size, size], data: (0..<(count * 3 * size * size)).map { _ in 0.1 + 0.8 * rng.nextUniform() })
  }

  static let all = [
    "base", "scale", "translate", "rotate", "gaussian-noise", "blur", "contrast", "cutout", "lowpass", "highpass", "band-noise",
  ]
  static let random: Set<String> = ["base", "scale", "translate", "rotate", "gaussian-noise", "contrast", "cutout", "band-noise"]

  @Test("deterministic for a seed, keeps shape and range", arguments: all)
  func deterministicShapeAndRange(name: String) throws {
    let aug = try registry.makeAugmentation(name)
    let x = Self.images()
    var a = x, b = x, c = x
    try aug.apply(&a, seed: 42)
    try aug.apply(&b, seed: 42)
    try aug.apply(&c, seed: 43)
    #expect(a == b)
    #expect(a.shape == x.shape)
    #expect(a.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(a != x, "\(name) changed nothing")
    if Self.random.contains(name) { #expect(a != c, "\(name) ignores its seed") } else { #expect(a == c) }
    // Image i's result depends only on the seed and i: the first two images alone come out the same.
    var firstTwo = x.slice(0..<2)
    try aug.apply(&firstTwo, seed: 42)
    #expect(firstTwo == a.slice(0..<2))
  }

  @Test func geometricAugmentationsWithZeroRangeAreTheIdentity() throws {
    let x = Self.images()
    for spec in ["scale:min=1,max=1", "translate:fraction=0", "rotate:degrees=0", "base:scale_min=1,ratio_min=1,ratio_max=1,flip=0"] {
      var y = x
      try registry.makeAugmentation(spec).apply(&y, seed: 5)
      let err = zip(x.data, y.data).map { abs($0 - $1) }.max()!
      #expect(err < 1e-5, "\(spec): max change \(err)")
    }
  }

  @Test func baseWithAFullCropAndCertainFlipMirrorsTheImage() throws {
    let x = Self.images()
    var y = x
    try registry.makeAugmentation("base:scale_min=1,ratio_min=1,ratio_max=1,flip=1").apply(&y, seed: 5)
    for plane in 0..<12 {
      for r in 0..<12 {
        for col in 0..<12 {
          #expect(abs(y.data[plane * 144 + r * 12 + col] - x.data[plane * 144 + r * 12 + (11 - col)]) < 1e-5)
        }
      }
    }
  }

  @Test func translationMovesContentAndFillsWithZeros() throws {
    // A single bright pixel moves by the same integer-free shift in every image; the total
    // brightness is kept when the pixel stays inside, and new area is black.
    var x = Tensor(zeros: [1, 1, 21, 21])
    x.data[10 * 21 + 10] = 1
    var y = x
    try registry.makeAugmentation("translate:fraction=0.2").apply(&y, seed: 3)
    #expect(abs(y.data.reduce(0, +) - 1) < 1e-5)
    #expect(y.data[10 * 21 + 10] < 1)
    // A constant image keeps its value where the source was inside and is 0 elsewhere.
    var ones = Tensor(repeating: 1, shape: [1, 1, 21, 21])
    try registry.makeAugmentation("translate:fraction=0.4").apply(&ones, seed: 3)
    #expect(ones.data.contains(0) && ones.data.contains(1))
    var edge = Tensor(repeating: 1, shape: [1, 1, 21, 21])
    try registry.makeAugmentation("translate:fraction=0.4,fill=edge").apply(&edge, seed: 3)
    #expect(edge.data.allSatisfy { abs($0 - 1) < 1e-6 })
  }

  @Test func rotationKeepsTheCentreAndTheRadius() throws {
    // Rotation about the centre of an odd-sized image keeps a blob at the centre in place
    // and moves a blob at radius 10 along its ring: mass and mean radius are kept.
    func blob(_ cy: Float, _ cx: Float, _ r: Int, _ c: Int) -> Float {
      let d2 = (Float(r) - cy) * (Float(r) - cy) + (Float(c) - cx) * (Float(c) - cx)
      return 0.5 * expf(-d2 / (2 * 1.5 * 1.5))
    }
    var x = Tensor(zeros: [1, 1, 41, 41])
    for r in 0..<41 { for c in 0..<41 { x.data[r * 41 + c] = blob(20, 20, r, c) + blob(20, 30, r, c) } }
    var y = x
    try registry.makeAugmentation("rotate").apply(&y, seed: 8)
    #expect(abs(y.data[20 * 41 + 20] - x.data[20 * 41 + 20]) < 1e-3)
    func ringStats(_ t: Tensor) -> (mass: Float, radius: Float) {
      var mass: Float = 0, radius: Float = 0
      for r in 0..<41 {
        for c in 0..<41 {
          let d = (Float((r - 20) * (r - 20) + (c - 20) * (c - 20))).squareRoot()
          guard d > 5 else { continue }
          mass += t.data[r * 41 + c]
          radius += t.data[r * 41 + c] * d
        }
      }
      return (mass, radius / mass)
    }
    let before = ringStats(x), after = ringStats(y)
    #expect(abs(after.mass - before.mass) < 0.02 * before.mass)
    #expect(abs(after.radius - before.radius) < 0.2)
    // And it did move: the blob is no longer on the positive horizontal axis (for this seed).
    #expect(y.data[20 * 41 + 30] < 0.5 * x.data[20 * 41 + 30])
  }

  @Test func gaussianNoiseHasTheRequestedStandardDeviation() throws {
    var x = Tensor(repeating: 0.5, shape: [8, 3, 16, 16])
    try registry.makeAugmentation("gaussian-noise:sigma=0.05").apply(&x, seed: 1)
    let d = x.data.map { Double($0) - 0.5 }
    let sd = (d.reduce(0) { $0 + $1 * $1 } / Double(d.count)).squareRoot()
    #expect(abs(sd - 0.05) < 0.003)
    #expect(abs(d.reduce(0, +) / Double(d.count)) < 0.003)
  }

  @Test func blurKeepsConstantsAndSpreadsAnImpulse() throws {
    var flat = Tensor(repeating: 0.3, shape: [1, 2, 9, 9])
    try registry.makeAugmentation("blur:sigma=1.5").apply(&flat, seed: 0)
    #expect(flat.data.allSatisfy { abs($0 - 0.3) < 1e-6 })
    var impulse = Tensor(zeros: [1, 1, 21, 21])
    impulse.data[10 * 21 + 10] = 1
    try registry.makeAugmentation("blur:sigma=1").apply(&impulse, seed: 0)
    #expect(abs(impulse.data.reduce(0, +) - 1) < 1e-5)
    // Separable Gaussian: centre 1/(2πσ²) up to the kernel's truncation and normalisation.
    #expect(abs(impulse.data[10 * 21 + 10] - 1 / (2 * Float.pi)) < 0.005)
    #expect(abs(impulse.data[10 * 21 + 11] - impulse.data[11 * 21 + 10]) < 1e-7)
  }

  @Test func contrastScalesAboutTheMean() throws {
    let x = Self.images()
    var y = x
    try registry.makeAugmentation("contrast:min=0.5,max=0.5").apply(&y, seed: 0)
    for i in 0..<4 {
      let slice = x.data[i * 432 ..< (i + 1) * 432]
      let m = slice.reduce(0, +) / 432
      for j in 0..<432 { #expect(abs(y.data[i * 432 + j] - (m + 0.5 * (x.data[i * 432 + j] - m))) < 1e-5) }
    }
  }

  @Test func cutoutBlanksASquareAndLeavesTheRest() throws {
    let x = Self.images(count: 1, size: 20)
    var y = x
    try registry.makeAugmentation("cutout:size=0.3,value=0").apply(&y, seed: 2)
    var blanked = 0
    for j in 0..<x.count where y.data[j] != x.data[j] {
      #expect(y.data[j] == 0)
      blanked += 1
    }
    // A 6×6 square (smaller where it crosses the border) in each of the 3 channels.
    #expect(blanked > 0 && blanked <= 3 * 36 && blanked % 3 == 0)
  }

  @Test func frequencyFiltersAgainstTheDFT() throws {
    let x = Self.images(count: 2, size: 16)
    // Everything passes: identity up to FFT rounding.
    var all = x
    try registry.makeAugmentation("lowpass:radius=1").apply(&all, seed: 0)
    #expect(zip(all.data, x.data).map { abs($0 - $1) }.max()! < 1e-5)
    var highAll = x
    try registry.makeAugmentation("highpass:radius=0").apply(&highAll, seed: 0)
    #expect(zip(highAll.data, x.data).map { abs($0 - $1) }.max()! < 1e-5)
    // Only DC passes: every pixel becomes its channel's mean.
    var dc = x
    try registry.makeAugmentation("lowpass:radius=0").apply(&dc, seed: 0)
    for plane in 0..<6 {
      let m = x.data[plane * 256 ..< (plane + 1) * 256].reduce(0, +) / 256
      for j in 0..<256 { #expect(abs(dc.data[plane * 256 + j] - m) < 1e-5) }
    }
    // Low-pass + high-pass at the same radius split the image (while nothing clips).
    var low = x, high = x
    try registry.makeAugmentation("lowpass:radius=0.3").apply(&low, seed: 0)
    try registry.makeAugmentation("highpass:radius=0.3,keep_dc=false").apply(&high, seed: 0)
    let clipped = high.data.contains(0) || low.data.contains(0) || low.data.contains(1) || high.data.contains(1)
    if !clipped {
      #expect(zip(zip(low.data, high.data), x.data).map { abs($0.0 + $0.1 - $1) }.max()! < 1e-5)
    }
    // The high-passed image keeps each channel's mean by default.
    var keep = x
    try registry.makeAugmentation("highpass:radius=0.5").apply(&keep, seed: 0)
    let clippedKeep = keep.data.contains(0) || keep.data.contains(1)
    if !clippedKeep {
      for plane in 0..<6 {
        let a = x.data[plane * 256 ..< (plane + 1) * 256].reduce(0, +), b = keep.data[plane * 256 ..< (plane + 1) * 256].reduce(0, +)
        #expect(abs(a - b) / 256 < 1e-5)
      }
    }
  }

  @Test func bandNoiseIsBandLimitedWithTheRequestedRMS() throws {
    var x = Tensor(repeating: 0.5, shape: [3, 2, 16, 16])
    try registry.makeAugmentation("band-noise:sigma=0.04,rmin=0.5,rmax=0.8").apply(&x, seed: 3)
    let noise = x.data.map { $0 - 0.5 }
    for plane in 0..<6 {
      let p = noise[plane * 256 ..< (plane + 1) * 256]
      #expect(abs((p.reduce(0) { $0 + $1 * $1 } / 256).squareRoot() - 0.04) < 1e-4)
    }
    let spectrum = try DFT2D.forward(Tensor(shape: [6, 16, 16], data: noise))
    let radius = FrequencyGrid.normalisedRadius(.dft, height: 16, width: 16)
    var inside = 0.0, outside = 0.0
    for i in 0..<spectrum.count {
      let e = Double(spectrum.real[i] * spectrum.real[i] + spectrum.imag[i] * spectrum.imag[i])
      let r = radius[i % 256]
      if r >= 0.5 - 1e-6 && r <= 0.8 + 1e-6 { inside += e } else { outside += e }
    }
    #expect(outside <= 1e-8 * inside)
  }

  @Test func badOptionsAreRejectedBeforeThePluginRuns() throws {
    #expect { _ = try registry.makeAugmentation("scale:min=2,max=1") } throws: { "\($0)".contains("min is above max") && "\($0)".contains("libFLAugmentations") }
    #expect { _ = try registry.makeAugmentation("rotate:degrees=270") } throws: { "\($0)".contains("rotate:degrees") }
    #expect { _ = try registry.makeAugmentation("translate:fill=mirror") } throws: { "\($0)".contains("zero, edge") }
    // Names are per kind: the lowpass augmentation and the lowpass mask are different plugins.
    #expect(try registry.plugin(named: "lowpass", kind: .augmentation).library.hasSuffix("libFLAugmentations.so"))
    #expect(try registry.plugin(named: "lowpass", kind: .mask).library.hasSuffix("libFLMasks.so"))
  }
}
