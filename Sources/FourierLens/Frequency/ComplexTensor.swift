/// A dense complex array with a shape, real and imaginary parts stored apart
/// (row-major, like `Tensor`). Spectra of image batches are [N, C, H, W].
public struct ComplexTensor: Equatable, Sendable {
  public private(set) var shape: [Int]
  public var real: [Float]
  public var imag: [Float]

  public init(shape: [Int], real: [Float], imag: [Float]) {
    let n = shape.reduce(1, *)
    precondition(real.count == n && imag.count == n, "complex tensor \(shape) needs \(n) values per part")
    self.shape = shape
    self.real = real
    self.imag = imag
  }

  /// A real tensor with zero imaginary part.
  public init(real t: Tensor) {
    self.init(shape: t.shape, real: t.data, imag: [Float](repeating: 0, count: t.count))
  }

  public var count: Int { real.count }

  /// |z| of every element.
  public var magnitude: Tensor {
    var out = [Float](repeating: 0, count: count)
    for i in 0..<count { out[i] = (real[i] * real[i] + imag[i] * imag[i]).squareRoot() }
    return Tensor(shape: shape, data: out)
  }
}
