import CFFTW

/// A Float array allocated by `fftwf_malloc`, so that it has the SIMD alignment FFTW
/// plans assume. Every transform executes on such buffers (plans are made on buffers
/// of the same alignment), never on Swift arrays, whose alignment FFTW cannot rely on.
final class FFTWBuffer {
  let count: Int
  let pointer: UnsafeMutablePointer<Float>

  /// `count` Floats (a complex value takes two), zero-initialised unless the caller
  /// overwrites every value before reading (`zeroed: false` skips a pass over memory).
  init(count: Int, zeroed: Bool = true) {
    self.count = count
    _ = FrequencyThreads.fftwThreadsReady
    guard let p = fftwf_alloc_real(max(1, count)) else {
      fatalError("fftwf_alloc_real: out of memory for \(count) floats")
    }
    if zeroed { p.initialize(repeating: 0, count: max(1, count)) }
    pointer = p
  }

  deinit { fftwf_free(pointer) }

  /// The same memory seen as interleaved complex values (re, im).
  var complexPointer: UnsafeMutablePointer<fftwf_complex> {
    UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: fftwf_complex.self)
  }

  var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

  /// Copies `values` into the start of the buffer.
  func copy(from values: [Float]) {
    precondition(values.count <= count)
    values.withUnsafeBufferPointer { src in
      if let base = src.baseAddress { pointer.update(from: base, count: src.count) }
    }
  }

  /// The first `n` values as an array.
  func array(count n: Int) -> [Float] {
    precondition(n <= count)
    return [Float](UnsafeBufferPointer(start: pointer, count: n))
  }
}
