import Foundation
import Testing
@testable import FourierLens

@Suite struct DCTTests {
  @Test(arguments: [(5, 7), (6, 4), (8, 8), (1, 9), (9, 1), (1, 1), (3, 2)])
  func forwardAndInverseMatchDirectSums(h: Int, w: Int) throws {
    let x = DirectTransforms.random(2 * h * w, seed: UInt64(7 * h + w))
    let X = try DCT2D.forward(Tensor(shape: [2, h, w], data: x))
    let Y = try DCT2D.inverse(Tensor(shape: [2, h, w], data: x))
    for p in 0..<2 {
      let plane = x[p * h * w ..< (p + 1) * h * w].map(Double.init)
      #expect(DirectTransforms.maxAbs(Array(X.data[p * h * w ..< (p + 1) * h * w]), DirectTransforms.dct(plane, height: h, width: w)) < 1e-5)
      #expect(DirectTransforms.maxAbs(Array(Y.data[p * h * w ..< (p + 1) * h * w]), DirectTransforms.idct(plane, height: h, width: w)) < 1e-5)
    }
  }

  @Test func roundTripAndParseval() throws {
    let h = 7, w = 12
    let x = Tensor(shape: [3, 2, h, w], data: DirectTransforms.random(6 * h * w, seed: 11))
    let X = try DCT2D.forward(x)
    let back = try DCT2D.inverse(X)
    #expect(zip(back.data, x.data).allSatisfy { abs($0 - $1) < 1e-5 })
    let e1 = x.data.reduce(0.0) { $0 + Double($1 * $1) }, e2 = X.data.reduce(0.0) { $0 + Double($1 * $1) }
    #expect(abs(e1 - e2) / e1 < 1e-5)
  }

  @Test func constantHasOnlyDCAndCosineHasOneCoefficient() throws {
    let h = 4, w = 8
    let c = try DCT2D.forward(Tensor(repeating: 0.5, shape: [h, w]))
    #expect(abs(c.data[0] - 0.5 * Float(Double(h * w).squareRoot())) < 1e-5)
    #expect(c.data.dropFirst().allSatisfy { abs($0) < 1e-5 })
    // A DCT-II basis function along the columns: cos(π·3(n+½)/W) → only coefficient (0, 3).
    var x = [Float](repeating: 0, count: h * w)
    for r in 0..<h { for n in 0..<w { x[r * w + n] = Float(cos(Double.pi * 3 * (Double(n) + 0.5) / Double(w))) } }
    let X = try DCT2D.forward(Tensor(shape: [h, w], data: x))
    // Its norm is √(HW/2), all of it in one orthonormal coefficient.
    #expect(abs(X.data[3] - Float(Double(h * w / 2).squareRoot())) < 1e-5)
    #expect(X.data.enumerated().allSatisfy { $0.offset == 3 || abs($0.element) < 1e-5 })
  }
}
