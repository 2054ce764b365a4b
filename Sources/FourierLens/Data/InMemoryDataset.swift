/// A dataset whose images are already in memory: generated data, test fixtures, small
/// `.npy` arrays. Random access is a gather from one NCHW tensor.
public final class InMemoryDataset: Dataset {
  public let batch: ImageBatch
  public let info: DatasetInfo

  /// `format` is what `flens info` reports (`generated`, `npy`, ...).
  public init(batch: ImageBatch, format: String) {
    self.batch = batch
    self.info = DatasetInfo(format: format, count: batch.count, classes: batch.classNames, shape: batch.imageShape)
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    for i in indices where i < 0 || i >= batch.count {
      throw FourierLensError.message("index \(i) outside the \(batch.count) images of this \(info.format) dataset")
    }
    return batch.gather(indices)
  }
}
