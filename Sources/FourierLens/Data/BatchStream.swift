import Foundation
import Synchronization

/// One pass (epoch) over a dataset in batches, in order or in a seeded random order, with
/// the next batch decoded on a background queue while the caller works on the current one.
///
/// At most one batch is in flight ahead of the caller, so memory stays at two batches
/// whatever the dataset size. The dataset's `batch` is only ever called from the stream's
/// serial queue, one call at a time. For several epochs make one stream per epoch, e.g.
/// with `shuffleSeed: SeededGenerator.derive(seed, UInt64(epoch))`.
public final class BatchStream {
  public let dataset: Dataset
  public let batchSize: Int
  /// The order in which images are visited (a permutation of 0..<count, or 0..<count itself).
  public let order: [Int]
  /// Number of batches in this pass (the last one may be smaller unless `dropLast`).
  public let batchCount: Int

  private var nextBatch = 0
  private let queue = DispatchQueue(label: "fourierlens.batchstream.prefetch", qos: .userInitiated)
  /// The batch being decoded in the background: its index and where its result will be.
  private var pending: (batch: Int, done: DispatchSemaphore, slot: ResultSlot)?

  /// Holds one batch's result, written by the prefetch queue before it signals (the lock
  /// makes the hand-over between the two threads explicit; it is never contended).
  private final class ResultSlot: Sendable {
    let result = Mutex<Result<ImageBatch, any Error>?>(nil)
  }

  /// A seeded Fisher–Yates permutation of 0..<count: the same seed gives the same order
  /// everywhere. The project's own, not `shuffle(using:)`, whose algorithm Swift does not
  /// promise to keep: bit-identical resume rests on this order.
  public static func permutation(count: Int, seed: UInt64) -> [Int] {
    var order = Array(0 ..< count)
    var rng = SeededGenerator(seed: seed)
    if count > 1 {
      for i in stride(from: count - 1, to: 0, by: -1) {
        let j = Int(rng.next() % UInt64(i + 1))
        order.swapAt(i, j)
      }
    }
    return order
  }

  public convenience init(dataset: Dataset, batchSize: Int, shuffleSeed: UInt64? = nil, dropLast: Bool = false,
                          firstBatch: Int = 0) {
    let count = dataset.info.count
    self.init(dataset: dataset, order: shuffleSeed.map { Self.permutation(count: count, seed: $0) } ?? Array(0 ..< count),
              batchSize: batchSize, dropLast: dropLast, firstBatch: firstBatch)
  }

  /// A pass over the images `order` names, in that order, starting at batch `firstBatch`
  /// (a resumed pass skips the batches it already processed without reading them).
  public init(dataset: Dataset, order: [Int], batchSize: Int, dropLast: Bool = false, firstBatch: Int = 0) {
    precondition(batchSize > 0, "batch size must be positive")
    self.dataset = dataset
    self.batchSize = batchSize
    self.order = order
    batchCount = dropLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize
    nextBatch = min(firstBatch, batchCount)
    startPrefetch(nextBatch)
  }

  deinit {
    // Let an in-flight read finish before the dataset can go away with us.
    pending?.done.wait()
  }

  /// The indices of batch `b` in the order of this pass.
  public func indices(ofBatch b: Int) -> [Int] {
    Array(order[(b * batchSize) ..< min((b + 1) * batchSize, order.count)])
  }

  private func startPrefetch(_ b: Int) {
    guard b < batchCount else { pending = nil; return }
    let done = DispatchSemaphore(value: 0)
    let slot = ResultSlot()
    let indices = indices(ofBatch: b)
    let dataset = dataset
    queue.async {
      let read = Result { try dataset.batch(indices) }
      slot.result.withLock { $0 = read }
      done.signal()
    }
    pending = (b, done, slot)
  }

  /// The next batch of this pass, or nil when the pass is over. A read error is thrown
  /// here, for the batch it belongs to; the stream then ends.
  public func next() throws -> ImageBatch? {
    guard let current = pending, current.batch == nextBatch else { return nil }
    current.done.wait()
    nextBatch += 1
    pending = nil
    let result = current.slot.result.withLock { $0 }!
    if case .failure(let error) = result {
      nextBatch = batchCount
      throw error
    }
    startPrefetch(nextBatch)
    return try result.get()
  }

  /// Calls `body` with each remaining batch and the dataset indices of its images.
  public func forEach(_ body: (_ indices: [Int], _ batch: ImageBatch) throws -> Void) throws {
    while nextBatch < batchCount {
      let indices = indices(ofBatch: nextBatch)
      guard let batch = try next() else { return }
      try body(indices, batch)
    }
  }
}
