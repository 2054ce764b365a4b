/// Which images of a dataset a run read: images `offset ..< offset + count` of `split`
/// (nil for data without splits). Every output that measures something on images records
/// its range, so a reader can tell held-out numbers from in-sample ones.
public struct ImageRange: Codable, Equatable, Sendable {
  public var split: DatasetSplit?
  public var offset: Int
  public var count: Int

  public init(split: DatasetSplit?, offset: Int, count: Int) {
    self.split = split
    self.offset = offset
    self.count = count
  }

  /// One past the last image.
  public var end: Int { offset + count }

  /// Whether the two ranges share an image (ranges of different splits never do).
  public func overlaps(_ other: ImageRange) -> Bool {
    split == other.split && offset < other.end && other.offset < end && count > 0 && other.count > 0
  }

  /// `test[2000..<3000]`, as messages and captions name images.
  public var description: String { "\(split?.rawValue ?? "all")[\(offset)..<\(end)]" }

  enum CodingKeys: String, CodingKey { case split, offset, count }

  /// `"split": null` for data without splits rather than a missing key.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(split, forKey: .split)
    try c.encode(offset, forKey: .offset)
    try c.encode(count, forKey: .count)
  }
}

/// Images `offset ..< offset + count` of a dataset (`--offset K --limit N`); its
/// `info.offset` counts from the start of the underlying split.
public final class ImageRangeDataset: Dataset {
  public let base: Dataset
  public let info: DatasetInfo
  private let start: Int

  /// Refuses an offset at or past the end of `base`: such a range has no images.
  public init(base: Dataset, offset: Int = 0, count: Int? = nil) throws {
    guard offset >= 0 else { throw FourierLensError.badSetting(.offset, reason: "must be ≥ 0, got \(offset)") }
    guard offset < base.info.count else {
      throw FourierLensError.badSetting(.offset, reason: "\(offset) is past the \(base.info.count) images of the data")
    }
    if let count, count < 0 { throw FourierLensError.badSetting(.limit, reason: "must be ≥ 0, got \(count)") }
    self.base = base
    start = offset
    var info = base.info
    info.offset = base.info.offset + offset
    info.count = min(count ?? Int.max, base.info.count - offset)
    self.info = info
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    for i in indices where i < 0 || i >= info.count {
      throw FourierLensError.message("index \(i) outside the \(info.count) images \(info.range.description) of this dataset")
    }
    return try base.batch(start == 0 ? indices : indices.map { $0 + start })
  }
}
