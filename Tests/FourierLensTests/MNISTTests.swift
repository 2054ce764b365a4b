import Foundation
import Testing
@testable import FourierLens

@Suite struct MNISTTests {
  /// Writes an IDX pair for a split: n images of h×w where pixel (y, x) of image i is
  /// (i·31 + y·7 + x) mod 256, labels i mod 10.
  private func writeSplit(_ dir: String, prefix: String, n: Int, h: Int, w: Int, separator: String = "-") throws {
    var images = Data([0, 0, 8, 3])
    for d in [n, h, w] { images.append(contentsOf: withUnsafeBytes(of: UInt32(d).bigEndian, Array.init)) }
    for i in 0 ..< n { for y in 0 ..< h { for x in 0 ..< w { images.append(UInt8((i * 31 + y * 7 + x) % 256)) } } }
    try images.write(to: URL(fileURLWithPath: dir + "/\(prefix)-images\(separator)idx3-ubyte"))
    var labels = Data([0, 0, 8, 1])
    labels.append(contentsOf: withUnsafeBytes(of: UInt32(n).bigEndian, Array.init))
    for i in 0 ..< n { labels.append(UInt8(i % 10)) }
    try labels.write(to: URL(fileURLWithPath: dir + "/\(prefix)-labels\(separator)idx1-ubyte"))
  }

  @Test func readsBothSplitsWithExactPixels() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try writeSplit(dir, prefix: "train", n: 23, h: 5, w: 4)
    try writeSplit(dir, prefix: "t10k", n: 7, h: 5, w: 4, separator: ".")
    let train = try DatasetLoader.open(dir, split: .train)
    #expect(train.info == DatasetInfo(format: "mnist", count: 23, classes: (0 ... 9).map(String.init), shape: [1, 5, 4], split: .train))
    let test = try DatasetLoader.open(dir, split: .test)
    #expect(test.info.count == 7)
    let b = try train.batch([22, 0, 13])
    #expect(b.labels == [2, 0, 3])
    for (k, i) in [22, 0, 13].enumerated() {
      for y in 0 ..< 5 { for x in 0 ..< 4 {
        #expect(b.images.data[k * 20 + y * 4 + x] == Float((i * 31 + y * 7 + x) % 256) / 255)
      } }
    }
    try "zero\none\ntwo\nthree\nfour\nfive\nsix\nseven\neight\nnine\n".write(toFile: dir + "/classes.txt", atomically: true, encoding: .utf8)
    #expect(try MNISTDataset(directory: dir, split: .test).info.classes.last == "nine")
  }

  @Test func truncatedCorruptAndGzipFilesThrowNamingTheFile() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    try writeSplit(dir, prefix: "train", n: 10, h: 3, w: 3)
    let images = dir + "/train-images-idx3-ubyte", labels = dir + "/train-labels-idx1-ubyte"
    let original = try Data(contentsOf: URL(fileURLWithPath: images))
    // Truncated images.
    try original.prefix(original.count - 5).write(to: URL(fileURLWithPath: images))
    CodecTestSupport.expectBadFile(images) { _ = try MNISTDataset(directory: dir, split: .train) }
    // Wrong magic, wrong element type, wrong rank, tiny file.
    for bytes in [Data([1, 2, 8, 3]) + original.dropFirst(4), Data([0, 0, 0x0D, 3]) + original.dropFirst(4),
                  Data([0, 0, 8, 2]) + original.dropFirst(4), Data([0, 0])] {
      try bytes.write(to: URL(fileURLWithPath: images))
      CodecTestSupport.expectBadFile(images) { _ = try MNISTDataset(directory: dir, split: .train) }
    }
    try original.write(to: URL(fileURLWithPath: images))
    // Label count that disagrees with the images.
    var shortLabels = Data([0, 0, 8, 1])
    shortLabels.append(contentsOf: withUnsafeBytes(of: UInt32(9).bigEndian, Array.init))
    shortLabels.append(Data(repeating: 1, count: 9))
    try shortLabels.write(to: URL(fileURLWithPath: labels))
    CodecTestSupport.expectBadFile(labels) { _ = try MNISTDataset(directory: dir, split: .train) }
    // gzip files are named and explained.
    try FileManager.default.removeItem(atPath: labels)
    try Data([0x1F, 0x8B, 8, 0, 0, 0]).write(to: URL(fileURLWithPath: labels + ".gz"))
    do {
      _ = try DatasetLoader.open(dir, split: .train)
      Issue.record("a gzip IDX file was accepted")
    } catch let FourierLensError.badFile(path, reason) {
      #expect(path == labels + ".gz")
      #expect(reason.contains("gunzip"))
    }
  }
}
