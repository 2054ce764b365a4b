import Dispatch

/// Splits an index range over `FrequencyThreads.current` workers for the element-wise
/// passes around the FFTs (mask products, gradient sums), so that they scale with the
/// transforms themselves. Small loops stay on the calling thread.
enum ParallelLoop {
  /// Calls `body(range)` for disjoint ranges covering 0..<count, concurrently; `body` must
  /// write only what belongs to its range. `work` is the approximate cost of the whole loop
  /// in elements, used to skip threading when small.
  static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let threads = min(FrequencyThreads.current, count)
    if threads <= 1 || work < 1 << 15 {
      if count > 0 { body(0..<count) }
      return
    }
    let per = (count + threads - 1) / threads
    // Safe to share with the workers although `body` is not `@Sendable`: concurrentPerform
    // returns only after every iteration has finished, so `body` (and what it captures, the
    // callers' buffers) outlives all of them, and each call gets its own range of a
    // disjoint split; callers write only inside their range (that is this function's
    // contract), so no two threads touch the same element.
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      let lo = t * per, hi = min(count, lo + per)
      if lo < hi { body(lo..<hi) }
    }
  }
}
