import Foundation
import Testing
@testable import FourierLens

@Suite struct BatchStreamTests {
  /// A dataset whose image i is filled with the value i (so every image says which it is).
  private func numbered(_ n: Int) -> InMemoryDataset {
    let images = Tensor(shape: [n, 1, 2, 2], data: (0 ..< n).flatMap { [Float](repeating: Float($0), count: 4) })
    return InMemoryDataset(batch: ImageBatch(images: images, labels: (0 ..< n).map { $0 % 3 }, classNames: ["a", "b", "c"]), format: "generated")
  }

  private func drain(_ stream: BatchStream) throws -> (ids: [Int], sizes: [Int]) {
    var ids = [Int](), sizes = [Int]()
    while let b = try stream.next() {
      sizes.append(b.count)
      for k in 0 ..< b.count {
        let id = Int(b.images.data[k * 4])
        ids.append(id)
        #expect(b.labels[k] == id % 3)
      }
    }
    return (ids, sizes)
  }

  @Test func inOrderCoversEverythingOnce() throws {
    let stream = BatchStream(dataset: numbered(10), batchSize: 4)
    #expect(stream.batchCount == 3)
    let (ids, sizes) = try drain(stream)
    #expect(ids == Array(0 ..< 10))
    #expect(sizes == [4, 4, 2])
    #expect(try stream.next() == nil)
  }

  @Test func shuffleCoversEveryIndexExactlyOnceAndIsSeeded() throws {
    let ds = numbered(103)
    let a = try drain(BatchStream(dataset: ds, batchSize: 16, shuffleSeed: 42)).ids
    let b = try drain(BatchStream(dataset: ds, batchSize: 16, shuffleSeed: 42)).ids
    let c = try drain(BatchStream(dataset: ds, batchSize: 16, shuffleSeed: 43)).ids
    #expect(a.sorted() == Array(0 ..< 103))
    #expect(c.sorted() == Array(0 ..< 103))
    #expect(a == b)
    #expect(a != c)
    #expect(a != Array(0 ..< 103))
    #expect(BatchStream.permutation(count: 103, seed: 42) == a)
  }

  @Test func dropLastDropsThePartialBatch() throws {
    let stream = BatchStream(dataset: numbered(10), batchSize: 4, shuffleSeed: 1, dropLast: true)
    #expect(stream.batchCount == 2)
    let (ids, sizes) = try drain(stream)
    #expect(sizes == [4, 4])
    #expect(Set(ids).count == 8)
    let tiny = BatchStream(dataset: numbered(3), batchSize: 4, dropLast: true)
    #expect(tiny.batchCount == 0)
    #expect(try tiny.next() == nil)
  }

  /// A dataset that fails on one index, and records which thread reads it.
  private final class FailingDataset: Dataset {
    let info = DatasetInfo(format: "generated", count: 10, classes: ["x"], shape: [1, 1, 1])
    func batch(_ indices: [Int]) throws -> ImageBatch {
      if indices.contains(7) { throw FourierLensError.badFile(path: "/data/seven", reason: "broken") }
      return ImageBatch(images: Tensor(shape: [indices.count, 1, 1, 1], data: indices.map(Float.init)), labels: indices.map { _ in 0 }, classNames: ["x"])
    }
  }

  @Test func errorsSurfaceForTheirBatchAndEndTheStream() throws {
    let stream = BatchStream(dataset: FailingDataset(), batchSize: 3)
    #expect(try stream.next()?.images.data == [0, 1, 2])
    #expect(try stream.next()?.images.data == [3, 4, 5])
    #expect(throws: FourierLensError.badFile(path: "/data/seven", reason: "broken")) { _ = try stream.next() }
    #expect(try stream.next() == nil)
  }

  @Test func streamsTheSharedCIFARWithBoundedWork() throws {
    let ds = try CIFAR10Dataset(directory: try CodecTestSupport.sharedData("cifar10"), split: .test)
    let stream = BatchStream(dataset: ds, batchSize: 256, shuffleSeed: 3)
    var seen = [Bool](repeating: false, count: ds.info.count)
    var total = 0
    var k = 0
    while let b = try stream.next() {
      #expect(b.images.shape == [b.count, 3, 32, 32])
      for i in stream.indices(ofBatch: k) { seen[i] = true }
      total += b.count
      k += 1
    }
    #expect(total == 10000 && seen.allSatisfy { $0 })
  }
}
