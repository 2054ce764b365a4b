import Foundation
import FourierLens

extension ProbeResults {
  /// `PROBE.KEY.npy` next to a probe's JSON that cannot be shown without it: a missing file
  /// is an error naming it.
  static func requiredArray(_ directory: String, probe: String, key: String) throws -> (tensor: Tensor, path: String) {
    let path = "\(directory)/\(probe).\(key).npy"
    guard FileManager.default.fileExists(atPath: path) else {
      throw FourierLensError.badFile(path: path, reason: "missing: \(probe).json needs its \(key) array")
    }
    return (try NPY.readTensor(path), path)
  }
}
