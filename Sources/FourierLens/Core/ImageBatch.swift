/// A batch of images (NCHW Float32, pixel space [0, 1] unless stated otherwise) with labels.
public struct ImageBatch: Sendable {
  /// Shape [N, C, H, W].
  public var images: Tensor
  /// One label per image, an index into `classNames`.
  public var labels: [Int]
  public var classNames: [String]

  public init(images: Tensor, labels: [Int], classNames: [String]) {
    precondition(images.rank == 4, "an image batch is NCHW, got shape \(images.shape)")
    precondition(labels.count == images.shape[0], "\(labels.count) labels for \(images.shape[0]) images")
    self.images = images
    self.labels = labels
    self.classNames = classNames
  }

  public var count: Int { images.shape[0] }
  public var channels: Int { images.shape[1] }
  public var height: Int { images.shape[2] }
  public var width: Int { images.shape[3] }
  /// [C, H, W] of one image.
  public var imageShape: [Int] { Array(images.shape.dropFirst()) }

  public func slice(_ range: Range<Int>) -> ImageBatch {
    ImageBatch(images: images.slice(range), labels: Array(labels[range]), classNames: classNames)
  }

  public func gather(_ indices: [Int]) -> ImageBatch {
    ImageBatch(images: images.gather(indices), labels: indices.map { labels[$0] }, classNames: classNames)
  }
}
