/// The first `count` images of a dataset (`--limit N`).
public final class PrefixDataset: Dataset {
  public let base: Dataset
  public let info: DatasetInfo

  public init(base: Dataset, count: Int) {
    precondition(count >= 0)
    self.base = base
    var info = base.info
    info.count = min(count, base.info.count)
    self.info = info
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    for i in indices where i < 0 || i >= info.count {
      throw FourierLensError.message("index \(i) outside the first \(info.count) images of this dataset")
    }
    return try base.batch(indices)
  }
}
