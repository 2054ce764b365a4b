import Foundation
import Testing
@testable import FourierLens

/// Independent truth for the frequency tests: direct O(N⁴) sums in Double, straight from
/// the definitions, sharing no code with the FFTW paths.
enum DirectTransforms {
  /// Forward DFT of one H×W plane: X(k) = Σ x(n) e^{−2πi(k₁n₁/H + k₂n₂/W)}.
  static func dft(_ re: [Double], _ im: [Double], height h: Int, width w: Int, inverse: Bool = false) -> ([Double], [Double]) {
    var outRe = [Double](repeating: 0, count: h * w), outIm = outRe
    let sign = inverse ? 1.0 : -1.0
    for k1 in 0..<h {
      for k2 in 0..<w {
        var sr = 0.0, si = 0.0
        for n1 in 0..<h {
          for n2 in 0..<w {
            let phase = sign * 2 * Double.pi * (Double(k1 * n1) / Double(h) + Double(k2 * n2) / Double(w))
            let c = cos(phase), s = sin(phase)
            sr += re[n1 * w + n2] * c - im[n1 * w + n2] * s
            si += re[n1 * w + n2] * s + im[n1 * w + n2] * c
          }
        }
        let scale = inverse ? 1 / Double(h * w) : 1
        outRe[k1 * w + k2] = sr * scale
        outIm[k1 * w + k2] = si * scale
      }
    }
    return (outRe, outIm)
  }

  /// Orthonormal DCT-II of one plane (SciPy's dctn(norm="ortho")).
  static func dct(_ x: [Double], height h: Int, width w: Int) -> [Double] {
    var out = [Double](repeating: 0, count: h * w)
    for k1 in 0..<h {
      for k2 in 0..<w {
        var s = 0.0
        for n1 in 0..<h {
          for n2 in 0..<w {
            s += x[n1 * w + n2] * cos(Double.pi * Double(k1) * (Double(n1) + 0.5) / Double(h))
              * cos(Double.pi * Double(k2) * (Double(n2) + 0.5) / Double(w))
          }
        }
        out[k1 * w + k2] = s * norm(k1, h) * norm(k2, w)
      }
    }
    return out
  }

  /// Orthonormal DCT-III (the inverse of `dct`).
  static func idct(_ X: [Double], height h: Int, width w: Int) -> [Double] {
    var out = [Double](repeating: 0, count: h * w)
    for n1 in 0..<h {
      for n2 in 0..<w {
        var s = 0.0
        for k1 in 0..<h {
          for k2 in 0..<w {
            s += X[k1 * w + k2] * norm(k1, h) * norm(k2, w)
              * cos(Double.pi * Double(k1) * (Double(n1) + 0.5) / Double(h))
              * cos(Double.pi * Double(k2) * (Double(n2) + 0.5) / Double(w))
          }
        }
        out[n1 * w + n2] = s
      }
    }
    return out
  }

  static func norm(_ k: Int, _ n: Int) -> Double { k == 0 ? (1 / Double(n)).squareRoot() : (2 / Double(n)).squareRoot() }

  /// x_M of one plane: Re(IDFT(M ⊙ DFT x)) or IDCT(M ⊙ DCT x).
  static func masked(_ x: [Double], mask: [Double], kind: TransformKind, height h: Int, width w: Int) -> [Double] {
    switch kind {
    case .dft:
      let zero = [Double](repeating: 0, count: h * w)
      let (xr, xi) = dft(x, zero, height: h, width: w)
      let (yr, _) = dft(zip(mask, xr).map(*), zip(mask, xi).map(*), height: h, width: w, inverse: true)
      return yr
    case .dct:
      return idct(zip(mask, dct(x, height: h, width: w)).map(*), height: h, width: w)
    }
  }

  static func random(_ n: Int, seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed)
    return (0..<n).map { _ in g.nextUniform() * 2 - 1 }
  }

  static func maxAbs(_ a: [Float], _ b: [Double]) -> Double {
    zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
  }
}

@Suite struct DFTReferenceTests {
  /// The reference itself on an analytic case: a constant plane has all its DFT at DC (= HW·c),
  /// and its orthonormal DCT at DC (= √(HW)·c).
  @Test func referenceSumsAgreeWithAnalyticConstant() {
    let h = 3, w = 4
    let x = [Double](repeating: 2, count: h * w)
    let (re, im) = DirectTransforms.dft(x, [Double](repeating: 0, count: h * w), height: h, width: w)
    #expect(abs(re[0] - 24) < 1e-12)
    #expect(re.dropFirst().allSatisfy { abs($0) < 1e-12 } && im.allSatisfy { abs($0) < 1e-12 })
    let d = DirectTransforms.dct(x, height: h, width: w)
    #expect(abs(d[0] - 2 * Double(12).squareRoot()) < 1e-12)
    #expect(d.dropFirst().allSatisfy { abs($0) < 1e-12 })
    let back = DirectTransforms.idct(d, height: h, width: w)
    #expect(zip(back, x).allSatisfy { abs($0 - $1) < 1e-12 })
  }
}
