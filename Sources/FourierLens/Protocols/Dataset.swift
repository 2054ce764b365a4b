/// What `flens info --data` reports.
public struct DatasetInfo: Codable, Equatable, Sendable {
  /// `cifar10`, `mnist`, `imagefolder`, `npy`, `generated`.
  public var format: String
  public var count: Int
  public var classes: [String]
  /// [C, H, W] of one image after preprocessing.
  public var shape: [Int]

  public init(format: String, count: Int, classes: [String], shape: [Int]) {
    self.format = format
    self.count = count
    self.classes = classes
    self.shape = shape
  }
}

/// A labelled image collection with random access by index. Implementations decode on
/// demand so that memory does not grow with dataset size; `BatchStream` adds ordering,
/// shuffling and background prefetch on top. `batch` may be called from a background
/// thread (never from two at once), so implementations keep no unsynchronised shared state.
public protocol Dataset: AnyObject {
  var info: DatasetInfo { get }
  /// The images at `indices` (pixel space [0, 1], shape [indices.count, C, H, W]).
  func batch(_ indices: [Int]) throws -> ImageBatch
}
