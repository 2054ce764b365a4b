import Foundation
import FourierLensNumerics
import FourierLensPluginKit

/// Reads a mask saved as NumPy `.npy` (float32 or float64, little-endian, C order), of
/// shape [H, W], [1, H, W] or [C, H, W] — what `flens learn-mask` writes. The format is
/// parsed by FourierLensNumerics, the parser the core's reader uses too.
struct NpyMaskFile {
  var shape: [Int]
  var values: [Float]

  init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PluginError.invalidArgument("mask file \(path): cannot be read")
    }
    func bad(_ why: String) -> PluginError { .invalidArgument("mask file \(path): \(why)") }
    let array: NPYArray
    do {
      array = try NPYFormat.parse(data)
    } catch let error as NPYFormatError {
      throw bad(error.reason)
    }
    guard array.dtype == .float32 || array.dtype == .float64 else {
      throw bad("dtype \(array.dtype.rawValue) is not little-endian float32/float64")
    }
    guard (2...3).contains(array.shape.count), array.shape.allSatisfy({ $0 > 0 }) else {
      throw bad("shape (\(array.shape.map(String.init).joined(separator: ", "))) is not [H, W] or [C, H, W]")
    }
    shape = array.shape
    values = array.floats()
    guard values.allSatisfy({ $0.isFinite }) else { throw bad("holds NaN or infinity") }
  }
}
