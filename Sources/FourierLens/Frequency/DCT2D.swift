/// The orthonormal 2-D DCT-II of every H×W plane of a tensor [..., H, W], and its
/// inverse (the orthonormal DCT-III), through FFTW's REDFT10/REDFT01.
///
/// Orthonormal means C⁻¹ = Cᵀ and Σx² = ΣX² (Parseval), as SciPy's `dctn(norm="ortho")`:
/// X(k₁,k₂) = a(k₁)b(k₂) Σ x(n₁,n₂) cos(πk₁(n₁+½)/H) cos(πk₂(n₂+½)/W) with
/// a(0) = √(1/H), a(k>0) = √(2/H) (b likewise with W). DC is at [0, 0].
public enum DCT2D {
  public static func forward(_ x: Tensor) throws -> Tensor { try transform(x, inverse: false) }
  public static func inverse(_ x: Tensor) throws -> Tensor { try transform(x, inverse: true) }

  /// Per-axis factor that turns FFTW's REDFT10 output into the orthonormal DCT-II:
  /// REDFT10 gives 2Σ…, so k = 0 needs 1/(2√n) and k > 0 needs 1/√(2n).
  static func forwardScale(_ n: Int) -> [Float] {
    (0..<n).map { k in k == 0 ? Float(1 / (2 * Double(n).squareRoot())) : Float(1 / (2 * Double(n)).squareRoot()) }
  }

  /// Per-axis factor applied before FFTW's REDFT01 (x₀ + 2Σ_{k≥1}…) to get the orthonormal
  /// DCT-III: k = 0 needs 1/√n and k > 0 needs 1/√(2n).
  static func inverseScale(_ n: Int) -> [Float] {
    (0..<n).map { k in k == 0 ? Float(1 / Double(n).squareRoot()) : Float(1 / (2 * Double(n)).squareRoot()) }
  }

  /// Outer product of per-axis factors as an H×W table.
  static func scaleTable(_ rows: [Float], _ cols: [Float]) -> [Float] {
    var t = [Float](repeating: 0, count: rows.count * cols.count)
    for i in rows.indices { for j in cols.indices { t[i * cols.count + j] = rows[i] * cols[j] } }
    return t
  }

  private static func transform(_ x: Tensor, inverse: Bool) throws -> Tensor {
    let (planes, h, w) = try planeGeometry(x.shape, what: inverse ? "inverse DCT input" : "DCT input")
    guard planes > 0 else { return x }
    let scale = inverse ? scaleTable(inverseScale(h), inverseScale(w)) : scaleTable(forwardScale(h), forwardScale(w))
    let plane = h * w
    let input = FFTWBuffer(count: planes * plane, zeroed: false), output = FFTWBuffer(count: planes * plane, zeroed: false)
    input.copy(from: x.data)
    if inverse {
      let p = input.pointer
      scale.withUnsafeBufferPointer { s in
        for q in 0..<planes { for k in 0..<plane { p[q * plane + k] *= s[k] } }
      }
    }
    FFTWExecute.dct(inverse: inverse, planes: planes, height: h, width: w, input: input, output: output)
    var out = output.array(count: planes * plane)
    if !inverse {
      out.withUnsafeMutableBufferPointer { o in
        scale.withUnsafeBufferPointer { s in
          for q in 0..<planes { for k in 0..<plane { o[q * plane + k] *= s[k] } }
        }
      }
    }
    return Tensor(shape: x.shape, data: out)
  }
}
