import Foundation

/// A directory holding `images.npy` (N×C×H×W or N×H×W; float in [0, 1], or uint8 0–255
/// divided by 255) and `labels.npy` (N integers), optionally `classes.txt` (one name a
/// line; otherwise classes are named "0" … "K−1"). Images are read on demand with
/// `pread`, so the array never has to fit in memory.
public final class NPYPairDataset: Dataset {
  public let imagesPath: String
  public let labelsPath: String
  public let info: DatasetInfo
  private let labels: [Int]
  private let images: FixedRecordFile
  private let dtype: NPYDType
  private let imageElements: Int

  /// Without classes.txt, the most classes the labels may imply.
  public static let maximumImplicitClasses = 1 << 16

  public static func looksLike(directory: String) -> Bool {
    let fm = FileManager.default
    return fm.fileExists(atPath: (directory as NSString).appendingPathComponent("images.npy"))
      && fm.fileExists(atPath: (directory as NSString).appendingPathComponent("labels.npy"))
  }

  public init(directory: String) throws {
    imagesPath = (directory as NSString).appendingPathComponent("images.npy")
    labelsPath = (directory as NSString).appendingPathComponent("labels.npy")
    let header = try NPY.readHeader(imagesPath)
    let shape = header.shape
    guard shape.count == 3 || shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
      throw FourierLensError.badFile(path: imagesPath, reason: "images must be N×C×H×W or N×H×W with no empty dimension, got shape \(shape)")
    }
    switch header.dtype {
    case .float32, .float64, .uint8: break
    default:
      throw FourierLensError.badFile(path: imagesPath, reason: "images must be float32, float64 (in [0, 1]) or uint8 (0–255), got \(header.dtype.rawValue)")
    }
    let imageShape = shape.count == 4 ? Array(shape.dropFirst()) : [1, shape[1], shape[2]]
    let n = shape[0]
    imageElements = imageShape.reduce(1, *)
    dtype = header.dtype

    let labelArray = try NPY.read(labelsPath)
    guard labelArray.isIntegerType else {
      throw FourierLensError.badFile(path: labelsPath, reason: "labels must be integers, got \(labelArray.dtype.rawValue)")
    }
    let labels = labelArray.ints()
    guard labels.count == n, labelArray.shape.count <= 1 || labelArray.shape.dropFirst().allSatisfy({ $0 == 1 }) else {
      throw FourierLensError.badFile(path: labelsPath, reason: "expected \(n) labels (one per image in images.npy), got shape \(labelArray.shape)")
    }
    if let bad = labels.first(where: { $0 < 0 }) {
      throw FourierLensError.badFile(path: labelsPath, reason: "negative label \(bad)")
    }
    let classesPath = (directory as NSString).appendingPathComponent("classes.txt")
    var classes: [String]
    if FileManager.default.fileExists(atPath: classesPath) {
      guard let text = try? String(contentsOfFile: classesPath, encoding: .utf8) else {
        throw FourierLensError.badFile(path: classesPath, reason: "not readable UTF-8 text")
      }
      classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    } else {
      // Classes are named 0…max; a huge label is a corrupt file, not a million classes.
      let top = labels.max() ?? 0
      guard top < Self.maximumImplicitClasses else {
        throw FourierLensError.badFile(path: labelsPath, reason: "label \(top) would mean more than \(Self.maximumImplicitClasses) classes; give classes.txt or fix the labels")
      }
      classes = (0 ... top).map(String.init)
    }
    if let top = labels.max(), top >= classes.count {
      throw FourierLensError.badFile(path: labelsPath, reason: "label \(top) but only \(classes.count) classes (\(classesPath))")
    }
    // The data must be all there before any batch is read.
    let needed = header.dataOffset + n * imageElements * dtype.size
    let path = imagesPath
    images = try FixedRecordFile(path: path, dataOffset: header.dataOffset, recordBytes: imageElements * dtype.size) { size in
      guard size >= needed else {
        throw FourierLensError.badFile(path: path, reason: "truncated .npy: shape \(shape) needs \(needed) bytes, the file has \(size)")
      }
      return n
    }
    self.labels = labels
    self.info = DatasetInfo(format: "npy", count: n, classes: classes, shape: imageShape)
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    let n = indices.count
    var pixels = [Float](repeating: 0, count: n * imageElements)
    var batchLabels = [Int](repeating: 0, count: n)
    try pixels.withUnsafeMutableBufferPointer { out in
      try images.forEachRecord(indices) { k, raw in
        let base = k * imageElements
        switch dtype {
        case .uint8:
          ByteScaling.convert(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), to: out.baseAddress! + base, count: imageElements)
        case .float32:
          for i in 0 ..< imageElements {
            out[base + i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
          }
        default:
          for i in 0 ..< imageElements {
            out[base + i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
          }
        }
        if dtype != .uint8 {
          for i in 0 ..< imageElements {
            let v = out[base + i]
            guard v.isFinite, v >= -1e-3, v <= 1 + 1e-3 else {
              throw FourierLensError.badFile(path: imagesPath, reason: "image \(indices[k]) has value \(v); float images must be pixel values in [0, 1]")
            }
          }
        }
        batchLabels[k] = labels[indices[k]]
      }
    }
    return ImageBatch(images: Tensor(shape: [n] + info.shape, data: pixels), labels: batchLabels, classNames: info.classes)
  }
}
