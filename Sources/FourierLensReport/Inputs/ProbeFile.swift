import Foundation
import FourierLens

/// One probe's files in a probe directory: `STEM.json` and its arrays `STEM.KEY.npy`, where
/// the stem is the probe's name, with its options when the run had several of its kind
/// (`ProbeOutputNames`).
struct ProbeFile {
  let directory: String
  let stem: String

  var json: String { "\(directory)/\(stem).json" }

  func arrayPath(_ key: String) -> String { "\(directory)/\(stem).\(key).npy" }

  /// The array `STEM.KEY.npy` that the JSON cannot be shown without: a missing file is an
  /// error naming it.
  func requiredArray(_ key: String) throws -> (tensor: Tensor, path: String) {
    let path = arrayPath(key)
    guard FileManager.default.fileExists(atPath: path) else {
      throw FourierLensError.badFile(path: path, reason: "missing: \(stem).json needs its \(key) array")
    }
    return (try NPY.readTensor(path), path)
  }
}
