/// A dense, row-major Float32 array with a shape. Images are NCHW.
///
/// A value type on purpose: copies are cheap until written (Array's copy-on-write),
/// and nothing outside the owner can mutate a tensor behind its back.
public struct Tensor: Equatable, Sendable {
  public private(set) var shape: [Int]
  public var data: [Float]

  public init(shape: [Int], data: [Float]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
    precondition(shape.reduce(1, *) == data.count,
                 "tensor shape \(shape) needs \(shape.reduce(1, *)) values, got \(data.count)")
    self.shape = shape
    self.data = data
  }

  public init(zeros shape: [Int]) {
    self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
  }

  public init(repeating value: Float, shape: [Int]) {
    self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
  }

  public var count: Int { data.count }
  public var rank: Int { shape.count }

  /// The same values seen with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, data: data)
  }

  /// Elements per entry of the leading dimension (for NCHW: C·H·W).
  public var strideOfFirstDimension: Int { shape.dropFirst().reduce(1, *) }

  /// Entries `range` of the leading dimension (for NCHW: a range of images).
  public func slice(_ range: Range<Int>) -> Tensor {
    precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0])
    let stride = strideOfFirstDimension
    var newShape = shape
    newShape[0] = range.count
    return Tensor(shape: newShape, data: Array(data[range.lowerBound * stride ..< range.upperBound * stride]))
  }

  /// Entries of the leading dimension picked by index, in the given order.
  public func gather(_ indices: [Int]) -> Tensor {
    let stride = strideOfFirstDimension
    var out = [Float]()
    out.reserveCapacity(indices.count * stride)
    for i in indices {
      precondition(i >= 0 && i < shape[0])
      out.append(contentsOf: data[i * stride ..< (i + 1) * stride])
    }
    var newShape = shape
    newShape[0] = indices.count
    return Tensor(shape: newShape, data: out)
  }

  /// Concatenation along the leading dimension.
  public static func concatenate(_ parts: [Tensor]) -> Tensor {
    precondition(!parts.isEmpty)
    let tail = Array(parts[0].shape.dropFirst())
    var data = [Float]()
    var n = 0
    for p in parts {
      precondition(Array(p.shape.dropFirst()) == tail, "cannot concatenate shapes \(parts[0].shape) and \(p.shape)")
      data.append(contentsOf: p.data)
      n += p.shape[0]
    }
    return Tensor(shape: [n] + tail, data: data)
  }

  /// True when every value is finite (no NaN, no ±Inf).
  public var isFinite: Bool { data.allSatisfy { $0.isFinite } }
}
