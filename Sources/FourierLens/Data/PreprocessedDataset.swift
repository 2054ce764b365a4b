/// A dataset seen through `Preprocessing`: every batch is preprocessed as it is read,
/// and `info.shape` reports the shape after preprocessing.
public final class PreprocessedDataset: Dataset {
  public let base: Dataset
  public let preprocessing: Preprocessing
  public let info: DatasetInfo

  public init(base: Dataset, preprocessing: Preprocessing) throws {
    self.base = base
    self.preprocessing = preprocessing
    var info = base.info
    info.shape = try preprocessing.outputShape(for: base.info.shape)
    self.info = info
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    try preprocessing.apply(try base.batch(indices))
  }
}
