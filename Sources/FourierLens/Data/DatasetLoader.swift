import Foundation

/// Opens `--data PATH` whatever its format, recognised from the directory's contents:
///
/// - CIFAR-10 binary: `data_batch_*.bin` / `test_batch.bin` (+ `batches.meta.txt`),
///   also inside a `cifar-10-batches-bin` subdirectory;
/// - MNIST IDX: `train-images-idx3-ubyte`, `t10k-images-idx3-ubyte` and their labels;
/// - a NumPy pair: `images.npy` + `labels.npy` (+ optional `classes.txt`);
/// - an image folder: one subdirectory per class holding PNG/JPEG files;
/// - a directory with `train/` and `test/` subdirectories, each one of the formats here:
///   the split picks the subdirectory (`val/` or `valid/` stand in for a missing `test/`).
///
/// Formats without splits ignore `split`, and their `info.split` is nil.
public enum DatasetLoader {
  /// `offset` and `limit` choose images `offset ..< offset + limit` of the split (`--offset`, `--limit`).
  public static func open(_ path: String, split: DatasetSplit, preprocessing: Preprocessing = .none, offset: Int = 0,
                          limit: Int? = nil) throws -> Dataset {
    if let limit, limit <= 0 {
      throw FourierLensError.badSetting(.limit, reason: "must be a positive number of images, got \(limit)")
    }
    var (dataset, inSplitDirectory) = try openFormat(path, split: split, preprocessing: preprocessing, depth: 0)
    // Image folders preprocess each image as it is decoded (their sizes may differ).
    let preprocessed = dataset is ImageFolderDataset
    if offset > 0 || (limit ?? Int.max) < dataset.info.count {
      dataset = try ImageRangeDataset(base: dataset, offset: offset, count: limit)
    }
    if !preprocessing.isIdentity && !preprocessed {
      dataset = try PreprocessedDataset(base: dataset, preprocessing: preprocessing)
    }
    // Tagged last: the image-folder check above must see the dataset itself.
    if inSplitDirectory && dataset.info.split == nil {
      dataset = SplitSubdirectoryDataset(base: dataset, split: split)
    }
    return dataset
  }

  /// Short description of the accepted layouts, for error messages.
  static let accepted = "expected a CIFAR-10 binary directory (data_batch_*.bin, test_batch.bin), an MNIST IDX directory, a directory with images.npy and labels.npy, or an image folder (one subdirectory of PNG/JPEG files per class)"

  /// True when `directory` is laid out as one of the formats (without opening it).
  static func recognisable(_ directory: String) -> Bool {
    CIFAR10Dataset.looksLike(directory: directory) || MNISTDataset.looksLike(directory: directory)
      || NPYPairDataset.looksLike(directory: directory) || ImageFolderDataset.looksLike(directory: directory)
      || FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent("cifar-10-batches-bin"))
  }

  /// The dataset at `path`, and whether it was found in a split subdirectory of it.
  private static func openFormat(_ path: String, split: DatasetSplit, preprocessing: Preprocessing,
                                 depth: Int) throws -> (Dataset, inSplitDirectory: Bool) {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw FourierLensError.badFile(path: path, reason: "no such file or directory")
    }
    guard isDirectory.boolValue else {
      throw FourierLensError.badFile(path: path, reason: "not a directory; \(accepted)")
    }
    if CIFAR10Dataset.looksLike(directory: path) {
      return (try CIFAR10Dataset(directory: path, split: split), false)
    }
    if MNISTDataset.looksLike(directory: path) {
      return (try MNISTDataset(directory: path, split: split), false)
    }
    if NPYPairDataset.looksLike(directory: path) {
      return (try NPYPairDataset(directory: path), false)
    }
    if depth < 2 {
      let candidates: [String]
      switch split {
      case .train: candidates = ["train", "cifar-10-batches-bin"]
      case .test: candidates = ["test", "val", "valid", "cifar-10-batches-bin"]
      }
      for name in candidates {
        let sub = (path as NSString).appendingPathComponent(name)
        var subIsDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: sub, isDirectory: &subIsDirectory), subIsDirectory.boolValue,
           recognisable(sub) {
          let (dataset, _) = try openFormat(sub, split: split, preprocessing: preprocessing, depth: depth + 1)
          return (dataset, name != "cifar-10-batches-bin")
        }
      }
    }
    if ImageFolderDataset.looksLike(directory: path) {
      return (try ImageFolderDataset(directory: path, preprocessing: preprocessing), false)
    }
    throw FourierLensError.badFile(path: path, reason: "not a recognised dataset; \(accepted)")
  }
}
