import Foundation

/// An MNIST-style IDX directory: `train-images-idx3-ubyte` + `train-labels-idx1-ubyte`
/// (train) and `t10k-images-idx3-ubyte` + `t10k-labels-idx1-ubyte` (test); the spellings
/// with a dot (`train-images.idx3-ubyte`) are accepted too. Images are 1×H×W, read on
/// demand with `pread`; labels (small) are read once. Class names come from `classes.txt`
/// when present, otherwise "0" … "9".
public final class MNISTDataset: Dataset {
  public let imagesPath: String
  public let labelsPath: String
  public let info: DatasetInfo
  private let labels: [Int]
  private let images: FixedRecordFile

  /// The image and label files of a split, when both exist.
  public static func files(in directory: String, split: DatasetSplit) -> (images: String, labels: String)? {
    let prefix = split == .train ? "train" : "t10k"
    let fm = FileManager.default
    for sep in ["-", "."] {
      let images = (directory as NSString).appendingPathComponent("\(prefix)-images\(sep)idx3-ubyte")
      let labels = (directory as NSString).appendingPathComponent("\(prefix)-labels\(sep)idx1-ubyte")
      if fm.fileExists(atPath: images) && fm.fileExists(atPath: labels) { return (images, labels) }
      if fm.fileExists(atPath: images + ".gz") || fm.fileExists(atPath: labels + ".gz") {
        return (fm.fileExists(atPath: images) ? images : images + ".gz", fm.fileExists(atPath: labels) ? labels : labels + ".gz")
      }
    }
    return nil
  }

  public static func looksLike(directory: String) -> Bool {
    files(in: directory, split: .train) != nil || files(in: directory, split: .test) != nil
  }

  public init(directory: String, split: DatasetSplit) throws {
    guard let (imagesPath, labelsPath) = Self.files(in: directory, split: split) else {
      let prefix = split == .train ? "train" : "t10k"
      throw FourierLensError.badFile(path: directory, reason: "no MNIST \(split.rawValue) split (\(prefix)-images-idx3-ubyte and \(prefix)-labels-idx1-ubyte) in this directory")
    }
    self.imagesPath = imagesPath
    self.labelsPath = labelsPath
    let imageHeader = try IDX.readHeader(imagesPath, rank: 3)
    let labelHeader = try IDX.readHeader(labelsPath, rank: 1)
    let (n, h, w) = (imageHeader.shape[0], imageHeader.shape[1], imageHeader.shape[2])
    guard h > 0, w > 0 else { throw FourierLensError.badFile(path: imagesPath, reason: "empty image size \(h)x\(w)") }
    // An empty file may announce any image size; h·w must still be a real image's size.
    guard h <= 1 << 16, w <= 1 << 16 else {
      throw FourierLensError.badFile(path: imagesPath, reason: "image size \(h)x\(w) is larger than supported (corrupt file?)")
    }
    guard labelHeader.shape[0] == n else {
      throw FourierLensError.badFile(path: labelsPath, reason: "\(labelHeader.shape[0]) labels for the \(n) images of \(imagesPath)")
    }
    let labelBytes: Data
    do {
      let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: labelsPath))
      defer { try? handle.close() }
      try handle.seek(toOffset: UInt64(labelHeader.dataOffset))
      labelBytes = try handle.read(upToCount: n) ?? Data()
    } catch {
      throw FourierLensError.badFile(path: labelsPath, reason: "cannot read the labels")
    }
    guard labelBytes.count == n else { throw FourierLensError.badFile(path: labelsPath, reason: "truncated labels") }
    let labels = labelBytes.map(Int.init)
    var classes: [String]
    let classesPath = (directory as NSString).appendingPathComponent("classes.txt")
    if FileManager.default.fileExists(atPath: classesPath) {
      guard let text = try? String(contentsOfFile: classesPath, encoding: .utf8) else {
        throw FourierLensError.badFile(path: classesPath, reason: "not readable UTF-8 text")
      }
      classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    } else {
      classes = (0 ... max(9, labels.max() ?? 0)).map(String.init)
    }
    if let top = labels.max(), top >= classes.count {
      throw FourierLensError.badFile(path: labelsPath, reason: "label \(top) but only \(classes.count) classes")
    }
    // A file shorter than its header says fails when the missing images are read, naming them.
    self.images = try FixedRecordFile(path: imagesPath, dataOffset: imageHeader.dataOffset, recordBytes: h * w) { _ in n }
    self.labels = labels
    self.info = DatasetInfo(format: "mnist", count: n, classes: classes, shape: [1, h, w], split: split)
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    let n = indices.count
    let imageBytes = images.recordBytes
    var pixels = [Float](repeating: 0, count: n * imageBytes)
    var batchLabels = [Int](repeating: 0, count: n)
    try pixels.withUnsafeMutableBufferPointer { out in
      try images.forEachRecord(indices) { k, record in
        ByteScaling.convert(record.baseAddress!.assumingMemoryBound(to: UInt8.self), to: out.baseAddress! + k * imageBytes, count: imageBytes)
        batchLabels[k] = labels[indices[k]]
      }
    }
    return ImageBatch(images: Tensor(shape: [n] + info.shape, data: pixels), labels: batchLabels, classNames: info.classes)
  }
}
