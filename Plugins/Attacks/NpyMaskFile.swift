import Foundation
import FourierLensPluginKit

/// Reads a mask saved as NumPy `.npy` (float32 or float64, little-endian, C order), of
/// shape [H, W], [1, H, W] or [C, H, W] — what `flens learn-mask` writes. Plugins do not
/// link the core, so this small reader lives here.
struct NpyMaskFile {
  var shape: [Int]
  var values: [Float]

  init(path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw PluginError.invalidArgument("mask file \(path): cannot be read")
    }
    func bad(_ why: String) -> PluginError { .invalidArgument("mask file \(path): \(why)") }
    let bytes = [UInt8](data)
    guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1...5]) == Array("NUMPY".utf8) else { throw bad("not a .npy file") }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    if major == 1 {
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
      headerStart = 10
    } else {
      guard bytes.count >= 12 else { throw bad("truncated header") }
      headerLength = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
      headerStart = 12
    }
    guard bytes.count >= headerStart + headerLength else { throw bad("truncated header") }
    let header = String(decoding: bytes[headerStart..<headerStart + headerLength], as: UTF8.self)
    func field(_ key: String) -> String? {
      guard let r = header.range(of: "'\(key)':") else { return nil }
      return String(header[r.upperBound...]).trimmingCharacters(in: .whitespaces)
    }
    guard let descr = field("descr") else { throw bad("header without descr") }
    let isF4 = descr.hasPrefix("'<f4'") || descr.hasPrefix("'=f4'")
    let isF8 = descr.hasPrefix("'<f8'") || descr.hasPrefix("'=f8'")
    guard isF4 || isF8 else { throw bad("dtype \(descr.prefix(6)) is not little-endian float32/float64") }
    guard let fortran = field("fortran_order"), fortran.hasPrefix("False") else { throw bad("Fortran order is not supported") }
    guard let shapeText = field("shape"), let open = shapeText.firstIndex(of: "("), let close = shapeText.firstIndex(of: ")") else {
      throw bad("header without shape")
    }
    let dims = shapeText[shapeText.index(after: open)..<close].split(separator: ",")
      .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let parsed = dims.compactMap { Int($0) }
    guard parsed.count == dims.count, (2...3).contains(parsed.count), parsed.allSatisfy({ $0 > 0 }) else {
      throw bad("shape (\(dims.joined(separator: ", "))) is not [H, W] or [C, H, W]")
    }
    shape = parsed
    let count = parsed.reduce(1, *)
    let start = headerStart + headerLength
    let width = isF4 ? 4 : 8
    guard bytes.count - start >= count * width else { throw bad("truncated data: \(count) values need \(count * width) bytes") }
    values = [Float](repeating: 0, count: count)
    bytes.withUnsafeBytes { raw in
      for i in 0..<count {
        if isF4 {
          values[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self).littleEndian)
        } else {
          values[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: start + 8 * i, as: UInt64.self).littleEndian))
        }
      }
    }
    guard values.allSatisfy({ $0.isFinite }) else { throw bad("holds NaN or infinity") }
  }
}
