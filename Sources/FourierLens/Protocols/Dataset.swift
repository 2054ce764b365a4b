/// What `flens info --data` reports.
public struct DatasetInfo: Codable, Equatable, Sendable {
  /// `cifar10`, `mnist`, `imagefolder`, `npy`, `generated`.
  public var format: String
  public var count: Int
  public var classes: [String]
  /// [C, H, W] of one image after preprocessing.
  public var shape: [Int]
  /// The split these images are (CIFAR-10, MNIST, a `train/` or `test/` subdirectory), nil
  /// for a format that has no splits (a plain images.npy + labels.npy directory, one image
  /// folder, generated data): `--split` does not choose anything there.
  public var split: DatasetSplit?
  /// Where image 0 of these images stands in the whole split (`--offset`; 0 otherwise).
  public var offset: Int = 0

  public init(format: String, count: Int, classes: [String], shape: [Int], split: DatasetSplit? = nil) {
    self.format = format
    self.count = count
    self.classes = classes
    self.shape = shape
    self.split = split
  }

  /// The images these are: `offset ..< offset + count` of `split`.
  public var range: ImageRange { ImageRange(split: split, offset: offset, count: count) }

  enum CodingKeys: String, CodingKey { case format, count, classes, shape, split, offset }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    format = try c.decode(String.self, forKey: .format)
    count = try c.decode(Int.self, forKey: .count)
    classes = try c.decode([String].self, forKey: .classes)
    shape = try c.decode([Int].self, forKey: .shape)
    split = try c.decodeIfPresent(DatasetSplit.self, forKey: .split)
    offset = try c.decodeIfPresent(Int.self, forKey: .offset) ?? 0
  }

  /// Writes `"split": null` for data without splits rather than leaving the key out, so
  /// every `flens info --json` has the same keys.
  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(format, forKey: .format)
    try c.encode(count, forKey: .count)
    try c.encode(classes, forKey: .classes)
    try c.encode(shape, forKey: .shape)
    try c.encode(split, forKey: .split)
    try c.encode(offset, forKey: .offset)
  }
}

/// A labelled image collection with random access by index. Implementations decode on
/// demand so that memory does not grow with dataset size; `BatchStream` adds ordering,
/// shuffling and background prefetch on top. `batch` may be called from a background
/// thread (never from two at once), so a dataset is `Sendable`: implementations keep no
/// unsynchronised mutable state.
public protocol Dataset: AnyObject, Sendable {
  var info: DatasetInfo { get }
  /// The images at `indices` (pixel space [0, 1], shape [indices.count, C, H, W]).
  func batch(_ indices: [Int]) throws -> ImageBatch
}
