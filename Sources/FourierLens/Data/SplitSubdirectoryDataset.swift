/// A dataset opened from the `train/` or `test/` (`val/`, `valid/`) subdirectory of a split
/// directory: the subdirectory's own format (a NumPy pair, an image folder) has no splits,
/// the directory around it does, so its info names the split that was chosen.
public final class SplitSubdirectoryDataset: Dataset {
  public let base: Dataset
  public let info: DatasetInfo

  public init(base: Dataset, split: DatasetSplit) {
    self.base = base
    var info = base.info
    info.split = split
    self.info = info
  }

  public func batch(_ indices: [Int]) throws -> ImageBatch { try base.batch(indices) }
}
