import CFFTW
import Foundation

/// A Float array allocated by `fftwf_malloc`, so that it has the SIMD alignment FFTW
/// plans assume. Every transform executes on such buffers (plans are made on buffers
/// of the same alignment), never on Swift arrays, whose alignment FFTW cannot rely on.
///
/// Memory comes from `FFTWBufferPool`: mask learning transforms same-sized batches
/// thousands of times, and fresh multi-megabyte blocks would cost a page fault per 4 KiB
/// on every call (measured: ~2500 faults per 32×1×128×128 round trip without reuse).
final class FFTWBuffer {
  let count: Int
  let pointer: UnsafeMutablePointer<Float>

  /// `count` Floats (a complex value takes two), zero-initialised unless the caller
  /// overwrites every value before reading (`zeroed: false` skips a pass over memory).
  init(count: Int, zeroed: Bool = true) {
    self.count = count
    pointer = FFTWBufferPool.take(max(1, count))
    if zeroed { pointer.update(repeating: 0, count: max(1, count)) }
  }

  deinit { FFTWBufferPool.give(pointer, count: max(1, count)) }

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

/// Keeps freed FFTW blocks of the sizes in use for the next call, up to a total of 64 MiB;
/// small blocks (under 64 KiB, cheap to allocate) and anything beyond the cap are freed.
enum FFTWBufferPool {
  static let minimumPooledFloats = 16 << 10
  static let capacityFloats = 16 << 20

  // Not a Mutex: a block comes back from a buffer's deinit, and Swift cannot prove that a
  // pointer read from a stored property may be handed to another thread. Safe because
  // every access to `free` and `pooledFloats` holds `lock`, and a block belongs to exactly
  // one owner at a time: the pool while it is in `free`, then the one buffer `take` gave it
  // to, until that buffer's deinit gives it back.
  private static let lock = NSLock()
  nonisolated(unsafe) private static var free: [Int: [UnsafeMutablePointer<Float>]] = [:]
  nonisolated(unsafe) private static var pooledFloats = 0

  static func take(_ count: Int) -> UnsafeMutablePointer<Float> {
    if count >= minimumPooledFloats {
      lock.lock()
      if let p = free[count]?.popLast() {
        pooledFloats -= count
        lock.unlock()
        return p
      }
      lock.unlock()
    }
    // FFTW wants fftwf_init_threads before its other functions.
    _ = FrequencyThreads.fftwThreadsReady
    guard let p = fftwf_alloc_real(count) else { fatalError("fftwf_alloc_real: out of memory for \(count) floats") }
    return p
  }

  static func give(_ p: UnsafeMutablePointer<Float>, count: Int) {
    if count >= minimumPooledFloats {
      lock.lock()
      if pooledFloats + count <= capacityFloats {
        free[count, default: []].append(p)
        pooledFloats += count
        lock.unlock()
        return
      }
      lock.unlock()
    }
    fftwf_free(p)
  }
}
