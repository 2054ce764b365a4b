import Foundation

/// A CIFAR-10 binary directory (`cifar-10-batches-bin`): `data_batch_*.bin` (train, all
/// that exist, in numeric order), `test_batch.bin` (test), `batches.meta.txt` (class names).
///
/// Each record is 3,073 bytes: a label byte, then 1,024 red, 1,024 green and 1,024 blue
/// bytes (row-major 32×32). Records are read on demand with `pread` on descriptors kept
/// open, so memory does not grow with the dataset and batches can come from any thread.
public final class CIFAR10Dataset: Dataset {
  public static let recordSize = 3073
  public static let imageBytes = 3072
  /// Used when `batches.meta.txt` is missing (the official label order).
  public static let defaultClassNames = ["airplane", "automobile", "bird", "cat", "deer",
                                         "dog", "frog", "horse", "ship", "truck"]

  /// One `.bin` file: its records and the global index of its first one.
  struct Part {
    let records: FixedRecordFile
    let firstIndex: Int
  }

  private let parts: [Part]
  public let info: DatasetInfo
  /// The record files of this split, in index order.
  public var files: [String] { parts.map(\.records.path) }

  /// The record files of a split in `directory`, in index order (empty when there are none).
  public static func recordFiles(in directory: String, split: DatasetSplit) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    switch split {
    case .test:
      return names.contains("test_batch.bin") ? [(directory as NSString).appendingPathComponent("test_batch.bin")] : []
    case .train:
      let batches = names.compactMap { name -> (Int, String)? in
        guard name.hasPrefix("data_batch_"), name.hasSuffix(".bin"),
              let k = Int(name.dropFirst("data_batch_".count).dropLast(".bin".count)) else { return nil }
        return (k, name)
      }.sorted { $0.0 < $1.0 }
      return batches.map { (directory as NSString).appendingPathComponent($0.1) }
    }
  }

  /// True when `directory` holds CIFAR-10 record files of either split.
  public static func looksLike(directory: String) -> Bool {
    !recordFiles(in: directory, split: .train).isEmpty || !recordFiles(in: directory, split: .test).isEmpty
  }

  public init(directory: String, split: DatasetSplit) throws {
    let paths = Self.recordFiles(in: directory, split: split)
    guard !paths.isEmpty else {
      let expected = split == .test ? "test_batch.bin" : "data_batch_*.bin"
      throw FourierLensError.badFile(path: directory, reason: "no CIFAR-10 \(split.rawValue) split (\(expected)) in this directory")
    }
    let classes = try Self.readClassNames(directory: directory)
    var parts = [Part]()
    var total = 0
    for path in paths {
      let records = try FixedRecordFile(path: path, dataOffset: 0, recordBytes: Self.recordSize) { size in
        guard size > 0, size % Self.recordSize == 0 else {
          throw FourierLensError.badFile(path: path, reason: "size \(size) bytes is not a whole number of \(Self.recordSize)-byte CIFAR-10 records (truncated or not CIFAR-10)")
        }
        return size / Self.recordSize
      }
      parts.append(Part(records: records, firstIndex: total))
      total += records.count
    }
    self.parts = parts
    self.info = DatasetInfo(format: "cifar10", count: total, classes: classes, shape: [3, 32, 32], split: split)
  }

  /// Class names from `batches.meta.txt` (one a line, blank lines ignored), or the
  /// official names when the file is absent.
  static func readClassNames(directory: String) throws -> [String] {
    let meta = (directory as NSString).appendingPathComponent("batches.meta.txt")
    guard FileManager.default.fileExists(atPath: meta) else { return defaultClassNames }
    guard let text = try? String(contentsOfFile: meta, encoding: .utf8) else {
      throw FourierLensError.badFile(path: meta, reason: "not readable UTF-8 text")
    }
    let names = text.split(whereSeparator: \.isNewline)
      .map { $0.trimmingCharacters(in: .whitespaces) }
      .filter { !$0.isEmpty }
    guard !names.isEmpty && names.count <= 256 else {
      throw FourierLensError.badFile(path: meta, reason: "expected one class name per line, found \(names.count)")
    }
    return names
  }

  /// The file and record number of a global index.
  private func locate(_ index: Int) -> (part: Int, record: Int)? {
    guard index >= 0 && index < info.count else { return nil }
    var lo = 0, hi = parts.count - 1
    while lo < hi {
      let mid = (lo + hi + 1) / 2
      if parts[mid].firstIndex <= index { lo = mid } else { hi = mid - 1 }
    }
    return (lo, index - parts[lo].firstIndex)
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    let n = indices.count
    let classCount = info.classes.count
    var labels = [Int](repeating: 0, count: n)
    var images = [Float](repeating: 0, count: n * Self.imageBytes)
    try images.withUnsafeMutableBufferPointer { out in
      // Runs of indices in the same file, read as that file's records.
      var k = 0
      while k < n {
        guard let (p, _) = locate(indices[k]) else {
          throw FourierLensError.message("index \(indices[k]) outside the \(info.count) images of \(parts[0].records.path)")
        }
        let part = parts[p]
        var end = k + 1
        while end < n, locate(indices[end])?.part == p { end += 1 }
        try part.records.forEachRecord(indices[k ..< end].map { $0 - part.firstIndex }) { j, record in
          let label = Int(record[0])
          guard label < classCount else {
            throw FourierLensError.badFile(path: part.records.path, reason: "record \(indices[k + j] - part.firstIndex) has label \(label), but there are \(classCount) classes (corrupt file?)")
          }
          labels[k + j] = label
          ByteScaling.convert(record.baseAddress!.assumingMemoryBound(to: UInt8.self) + 1,
                              to: out.baseAddress! + (k + j) * Self.imageBytes, count: Self.imageBytes)
        }
        k = end
      }
    }
    return ImageBatch(images: Tensor(shape: [n, 3, 32, 32], data: images), labels: labels, classNames: info.classes)
  }
}
