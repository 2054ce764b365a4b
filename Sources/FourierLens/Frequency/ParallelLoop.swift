import Dispatch

/// Splits an index range over `FrequencyThreads.current` workers for the element-wise
/// passes around the FFTs (mask products, gradient sums), so that they scale with the
/// transforms themselves. Small loops stay on the calling thread.
enum ParallelLoop {
  /// Calls `body(range)` for disjoint ranges covering 0..<count; `work` is the
  /// approximate cost of the whole loop in elements, used to skip threading when small.
  static func chunks(_ count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let threads = min(FrequencyThreads.current, count)
    if threads <= 1 || work < 1 << 15 {
      if count > 0 { body(0..<count) }
      return
    }
    let per = (count + threads - 1) / threads
    DispatchQueue.concurrentPerform(iterations: threads) { t in
      let lo = t * per, hi = min(count, lo + per)
      if lo < hi { body(lo..<hi) }
    }
  }
}
