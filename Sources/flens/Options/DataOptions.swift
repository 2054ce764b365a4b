import ArgumentParser
import FourierLens

/// An image size given as `N` (square) or `HxW`.
struct ImageSizeArgument: ExpressibleByArgument, Equatable {
  var height: Int
  var width: Int

  init?(argument: String) {
    let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
    switch parts.count {
    case 1:
      guard let n = Int(parts[0]) else { return nil }
      (height, width) = (n, n)
    case 2:
      guard let h = Int(parts[0]), let w = Int(parts[1]) else { return nil }
      (height, width) = (h, w)
    default:
      return nil
    }
  }
}

/// The split a command reads when `--split` is not given. A type, so that each command's
/// `--split` help says its own default and `open()` cannot be called with another.
protocol DefaultSplit { static var split: DatasetSplit { get } }

/// Commands that measure (eval, attack, learn-mask, probe, info) read the test split.
enum TestSplitByDefault: DefaultSplit { static var split: DatasetSplit { .test } }
/// `train` trains on the train split.
enum TrainSplitByDefault: DefaultSplit { static var split: DatasetSplit { .train } }

/// The options that choose and preprocess a dataset, shared by every command that reads
/// one (`--data`, `--split`, `--offset`, `--limit`, `--grayscale`, `--size`).
///
/// `--data` is optional at parse time so that commands with an alternative input (such as
/// `info --model`) can share this group; `open()` requires it.
struct DataOptions<Default: DefaultSplit>: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp(
    "Dataset: a CIFAR-10 binary directory, an MNIST IDX directory, an image folder (one subdirectory per class) or a directory with images.npy + labels.npy.",
    valueName: "path"))
  var data: String?

  @Option(name: .long, help: ArgumentHelp("Which split to use: train or test (default: \(Default.split.rawValue); data without splits ignore it).", valueName: "split"))
  var split: DatasetSplit?

  @Option(name: .long, help: ArgumentHelp("Use only the first N images (after --offset).", valueName: "n"))
  var limit: Int?

  @Option(name: .long, help: ArgumentHelp("Skip the split's first K images (images K, K+1, ... are read).", valueName: "k"))
  var offset: Int?

  @Flag(name: .long, help: "Convert images to one luma channel (ITU-R BT.601).")
  var grayscale = false

  @Option(name: .long, help: ArgumentHelp("Resize images to N×N or H×W (written N or HxW).", valueName: "size"))
  var size: ImageSizeArgument?

  func validate() throws {
    if let data, data.isEmpty {
      throw FourierLensError.badOption(name: "--data", reason: "empty path")
    }
    if let limit, limit <= 0 {
      throw FourierLensError.badOption(name: "--limit", reason: "must be a positive number of images, got \(limit)")
    }
    if let offset, offset < 0 {
      throw FourierLensError.badOption(name: "--offset", reason: "must be ≥ 0, got \(offset)")
    }
    if let size, size.height <= 0 || size.width <= 0 || size.height > 16384 || size.width > 16384 {
      throw FourierLensError.badOption(name: "--size", reason: "must be between 1 and 16384 pixels per side, got \(size.height)x\(size.width)")
    }
  }

  /// The preprocessing these options ask for.
  var preprocessing: Preprocessing {
    Preprocessing(grayscale: grayscale, size: size.map { (height: $0.height, width: $0.width) })
  }

  /// `--data`, for a command that cannot run without it (an error, never a crash, without it).
  func requiredPath() throws -> String {
    guard let data else { throw FourierLensError.badOption(name: "--data", reason: "a dataset path is required") }
    return data
  }

  /// Opens the dataset, with the command's default split when `--split` is not given:
  /// images `--offset ..< --offset + --limit` of it.
  func open() throws -> Dataset {
    try open(offset: offset ?? 0, limit: limit)
  }

  /// Images `offset ..< offset + limit` of the same data and split (all from `offset` on
  /// without a limit), whatever `--offset` and `--limit` say.
  func open(offset: Int, limit: Int?) throws -> Dataset {
    try DatasetLoader.open(requiredPath(), split: split ?? Default.split, preprocessing: preprocessing, offset: offset,
                           limit: limit)
  }
}

extension DatasetSplit: ExpressibleByArgument {}
