import Foundation
import Testing
@testable import FourierLens

@Suite struct CIFARTests {
  @Test func sharedTrainAndTestSplits() throws {
    let dir = try CodecTestSupport.sharedData("cifar10")
    let names = try String(contentsOfFile: dir + "/batches.meta.txt", encoding: .utf8).split(separator: "\n").map(String.init)
    for split in DatasetSplit.allCases {
      let ds = try CIFAR10Dataset(directory: dir, split: split)
      #expect(ds.info.format == "cifar10")
      #expect(ds.info.count == 10000)
      #expect(ds.info.classes == names)
      #expect(ds.info.classes.count == 10)
      #expect(ds.info.shape == [3, 32, 32])
    }
    // Every label of the train split, read through the dataset in batches: 1,000 per class.
    let train = try CIFAR10Dataset(directory: dir, split: .train)
    var counts = [Int](repeating: 0, count: 10)
    let stream = BatchStream(dataset: train, batchSize: 1000)
    while let b = try stream.next() { for l in b.labels { counts[l] += 1 } }
    #expect(counts == [Int](repeating: 1000, count: 10))
  }

  @Test func pixelsMatchRawRecordBytes() throws {
    let dir = try CodecTestSupport.sharedData("cifar10")
    let ds = try CIFAR10Dataset(directory: dir, split: .test)
    // Independent reading: FileHandle seek + read of records 0 and 4321.
    let handle = try #require(FileHandle(forReadingAtPath: dir + "/test_batch.bin"))
    defer { try? handle.close() }
    for index in [0, 4321, 9999] {
      try handle.seek(toOffset: UInt64(index * 3073))
      let record = try #require(try handle.read(upToCount: 3073))
      let batch = try ds.batch([index])
      #expect(batch.labels == [Int(record[record.startIndex])])
      let expected = record.dropFirst().map { Float($0) / 255 }
      #expect(batch.images.shape == [1, 3, 32, 32])
      // First pixel of each channel (R at byte 1, G at 1025, B at 2049) and the whole image.
      #expect(batch.images.data[0] == Float(record[record.startIndex + 1]) / 255)
      #expect(batch.images.data[1024] == Float(record[record.startIndex + 1025]) / 255)
      #expect(batch.images.data[2048] == Float(record[record.startIndex + 2049]) / 255)
      #expect(zip(batch.images.data, expected).allSatisfy { abs($0 - $1) < 1e-7 })
    }
    // Out-of-order and repeated indices give the same images as one-by-one reads.
    let mixed = try ds.batch([5, 3, 4, 5, 9999, 0])
    for (k, i) in [5, 3, 4, 5, 9999, 0].enumerated() {
      let single = try ds.batch([i])
      #expect(mixed.slice(k ..< k + 1).images == single.images)
      #expect(mixed.labels[k] == single.labels[0])
    }
    #expect(throws: FourierLensError.self) { _ = try ds.batch([10000]) }
  }

  @Test func trainSplitUsesEveryBatchFileInNumericOrder() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    // Three tiny batch files (2, 1 and 3 records), named so that lexical order differs from numeric.
    func record(label: UInt8, fill: UInt8) -> [UInt8] { [label] + [UInt8](repeating: fill, count: 3072) }
    try Data(record(label: 0, fill: 10) + record(label: 1, fill: 11)).write(to: URL(fileURLWithPath: dir + "/data_batch_2.bin"))
    try Data(record(label: 2, fill: 20)).write(to: URL(fileURLWithPath: dir + "/data_batch_10.bin"))
    try Data(record(label: 3, fill: 1) + record(label: 4, fill: 2) + record(label: 5, fill: 3)).write(to: URL(fileURLWithPath: dir + "/data_batch_1.bin"))
    let ds = try CIFAR10Dataset(directory: dir, split: .train)
    #expect(ds.files.map { ($0 as NSString).lastPathComponent } == ["data_batch_1.bin", "data_batch_2.bin", "data_batch_10.bin"])
    #expect(ds.info.count == 6)
    #expect(ds.info.classes == CIFAR10Dataset.defaultClassNames)
    let all = try ds.batch(Array(0 ..< 6))
    #expect(all.labels == [3, 4, 5, 0, 1, 2])
    #expect([0, 1, 2, 3, 4, 5].map { all.images.data[$0 * 3072] * 255 }.map { $0.rounded() } == [1, 2, 3, 10, 11, 20])
    CodecTestSupport.expectBadFile(dir) { _ = try CIFAR10Dataset(directory: dir, split: .test) }
  }

  @Test func truncatedOrCorruptFilesThrowNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let path = dir + "/test_batch.bin"
    try Data([UInt8](repeating: 1, count: 3073 * 2 - 100)).write(to: URL(fileURLWithPath: path))
    CodecTestSupport.expectBadFile(path) { _ = try CIFAR10Dataset(directory: dir, split: .test) }
    try Data().write(to: URL(fileURLWithPath: path))
    CodecTestSupport.expectBadFile(path) { _ = try CIFAR10Dataset(directory: dir, split: .test) }
    // A label byte outside the classes: caught when the record is read.
    try Data([UInt8(0)] + [UInt8](repeating: 0, count: 3072) + [UInt8(200)] + [UInt8](repeating: 0, count: 3072))
      .write(to: URL(fileURLWithPath: path))
    let ds = try CIFAR10Dataset(directory: dir, split: .test)
    #expect(try ds.batch([0]).labels == [0])
    CodecTestSupport.expectBadFile(path) { _ = try ds.batch([1]) }
    // A file truncated after opening: the read reports it instead of returning garbage.
    let truncating = try CIFAR10Dataset(directory: dir, split: .test)
    #expect(truncate(path, 3073 + 10) == 0)
    CodecTestSupport.expectBadFile(path) { _ = try truncating.batch([1]) }
  }
}
