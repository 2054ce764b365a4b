import Foundation
import Testing
@testable import FourierLens

@Suite struct PreprocessTests {
  @Test func grayscaleIsBT601Luma() throws {
    let rgb = Tensor(shape: [1, 3, 1, 2], data: [1, 0.2, 0, 0.4, 0, 0.6])
    let gray = try Preprocessing(grayscale: true).apply(rgb)
    #expect(gray.shape == [1, 1, 1, 2])
    #expect(abs(gray.data[0] - 0.299) < 1e-6)
    #expect(abs(gray.data[1] - (0.299 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6)) < 1e-6)
    // One channel passes unchanged; a single image ([C, H, W]) works like a batch of one.
    let one = Tensor(shape: [1, 2, 2], data: [0.1, 0.2, 0.3, 0.4])
    #expect(try Preprocessing(grayscale: true).apply(one) == one)
    #expect(throws: FourierLensError.self) { _ = try Preprocessing(grayscale: true).apply(Tensor(zeros: [1, 2, 3, 3])) }
  }

  @Test func resizeOfAConstantStaysConstant() throws {
    for (h, w, oh, ow) in [(8, 8, 3, 5), (5, 7, 16, 9), (32, 32, 32, 32), (1, 1, 4, 4), (9, 4, 2, 1)] {
      let t = Tensor(repeating: 0.625, shape: [2, 3, h, w])
      let r = ImageOps.resize(t, height: oh, width: ow)
      #expect(r.shape == [2, 3, oh, ow])
      #expect(r.data.allSatisfy { abs($0 - 0.625) < 1e-6 }, "\(h)x\(w) → \(oh)x\(ow)")
    }
  }

  @Test func halvingACheckerboardGivesHalfGray() throws {
    let n = 16
    let board = Tensor(shape: [1, 1, n, n], data: (0 ..< n * n).map { Float(($0 / n + $0 % n) % 2) })
    let half = ImageOps.resize(board, height: 8, width: 8)
    // Antialiased: the interior averages to exactly 0.5 (plain bilinear sampling would
    // give 0 or 1 or aliasing patterns); edges renormalise a truncated filter.
    for y in 1 ..< 7 { for x in 1 ..< 7 { #expect(abs(half.data[y * 8 + x] - 0.5) < 1e-5) } }
    let mean = half.data.reduce(0, +) / 64
    #expect(abs(mean - 0.5) < 0.02)
    #expect(half.data.allSatisfy { abs($0 - 0.5) < 0.1 })
  }

  @Test func enlargingIsBilinearInterpolation() throws {
    // A horizontal ramp 0, 1, 2, 3 doubled: interior samples at input positions
    // (x + 0.5) / 2 − 0.5 = 0.25, 0.75, … so values 0, 0.25, 0.75, 1.25, …, 3 (edges clamp).
    let ramp = Tensor(shape: [1, 1, 1, 4], data: [0, 1, 2, 3])
    let up = ImageOps.resize(ramp, height: 1, width: 8)
    let expected: [Float] = [0, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3]
    #expect(zip(up.data, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(up.data)")
  }

  @Test func downscaleMatchesAreaAverageForIntegerFactors() throws {
    // A smooth (linear) image: the triangle filter of support 2 on a linear ramp returns
    // the value at the output pixel's centre, i.e. the mean of each 2×2 block.
    let (h, w) = (8, 10)
    let t = Tensor(shape: [1, 1, h, w], data: (0 ..< h * w).map { Float($0 / w) * 0.1 + Float($0 % w) * 0.03 })
    let r = ImageOps.resize(t, height: 4, width: 5)
    for y in 1 ..< 3 {
      for x in 1 ..< 4 {
        let block = [t.data[(2 * y) * w + 2 * x], t.data[(2 * y) * w + 2 * x + 1], t.data[(2 * y + 1) * w + 2 * x], t.data[(2 * y + 1) * w + 2 * x + 1]]
        #expect(abs(r.data[y * 5 + x] - block.reduce(0, +) / 4) < 1e-5)
      }
    }
  }

  @Test func centerCropTakesTheMiddle() throws {
    let t = Tensor(shape: [1, 1, 4, 5], data: (0 ..< 20).map(Float.init))
    let c = try Preprocessing(centerCrop: (2, 3)).apply(t)
    #expect(c.shape == [1, 1, 2, 3])
    #expect(c.data == [6, 7, 8, 11, 12, 13])
    #expect(throws: FourierLensError.self) { _ = try Preprocessing(centerCrop: (5, 5)).apply(t) }
    #expect(try Preprocessing(grayscale: true, size: (6, 6), centerCrop: (4, 2)).outputShape(for: [3, 32, 32]) == [1, 4, 2])
  }
}

@Suite struct NormalizationTests {
  @Test func normalizeAndDenormalizePerChannel() throws {
    let norm = try Normalization(mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2])
    var t = Tensor(shape: [2, 3, 1, 2], data: [1, 0, 0.5, 0.75, 4, -2, 0.5, 0.5, 0.25, 0.25, 0, 0])
    let original = t
    try norm.normalize(&t)
    #expect(t.data == [1, -1, 1, 2, 2, -1, 0, 0, 0, 0, 0, 0])
    try norm.denormalize(&t)
    #expect(zip(t.data, original.data).allSatisfy { abs($0 - $1) < 1e-6 })
    // One mean/std for all channels, and [C, H, W] input.
    let single = try Normalization(mean: [0.5], std: [0.25])
    #expect(try single.normalized(Tensor(shape: [2, 1, 1], data: [0.75, 0.25])).data == [1, -1])
    #expect(try norm.pixelGradient(fromModelGradient: Tensor(repeating: 1, shape: [1, 3, 1, 1])).data == [2, 4, 0.5])
  }

  @Test func invalidParametersAndShapesThrow() throws {
    #expect(throws: FourierLensError.self) { _ = try Normalization(mean: [0, 0], std: [1]) }
    #expect(throws: FourierLensError.self) { _ = try Normalization(mean: [0], std: [0]) }
    #expect(throws: FourierLensError.self) { _ = try Normalization(mean: [.nan], std: [1]) }
    var t = Tensor(zeros: [1, 2, 2, 2])
    #expect(throws: FourierLensError.self) { try Normalization(mean: [0, 0, 0], std: [1, 1, 1]).normalize(&t) }
  }
}
