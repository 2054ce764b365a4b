import Foundation

import FourierLensNumerics

// The format itself (header, element types, conversions) is parsed in FourierLensNumerics,
// which the plugins share; these names keep the core's API.
public typealias NPYDType = FourierLensNumerics.NPYDType
public typealias NPYArray = FourierLensNumerics.NPYArray

/// NumPy `.npy` files (format version 1.0–3.0 read, 1.0 written): the exchange format of
/// every array FourierLens reads or writes, so results open directly in Python.
public enum NPY {
  /// Reads a whole `.npy` file.
  public static func read(_ path: String) throws -> NPYArray {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe)
    } catch {
      throw FourierLensError.badFile(path: path, reason: FileManager.default.fileExists(atPath: path)
        ? "cannot read the file" : "no such file")
    }
    return try parse(data, path: path)
  }

  /// Reads a `.npy` file of any numeric type as a Float32 tensor of the same shape.
  public static func readTensor(_ path: String) throws -> Tensor {
    let array = try read(path)
    return Tensor(shape: array.shape, data: array.floats())
  }

  /// Parses the bytes of a `.npy` file; `path` only names the file in errors.
  public static func parse(_ data: Data, path: String) throws -> NPYArray {
    do {
      return try NPYFormat.parse(data)
    } catch let error as NPYFormatError {
      throw FourierLensError.badFile(path: path, reason: error.reason)
    }
  }

  /// Reads only the header of a `.npy` file (shape and type), without loading the data.
  public static func readShape(_ path: String) throws -> (shape: [Int], dtype: NPYDType) {
    let header = try readHeader(path)
    return (header.shape, header.dtype)
  }

  /// Reads and parses only the header of a `.npy` file.
  static func readHeader(_ path: String) throws -> NPYFormat.Header {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FourierLensError.badFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
    }
    defer { try? handle.close() }
    do {
      let prefix = (try? handle.read(upToCount: 12)) ?? Data()
      let length = try NPYFormat.headerByteCount(prefix: prefix)
      try? handle.seek(toOffset: 0)
      return try NPYFormat.parseHeader((try? handle.read(upToCount: length)) ?? Data())
    } catch let error as NPYFormatError {
      throw FourierLensError.badFile(path: path, reason: error.reason)
    }
  }

  /// A version-1.0 header for `descr` and `shape`, padded with spaces so that the data
  /// starts at a multiple of 64 bytes, ending in a newline (as NumPy writes it).
  static func header(descr: String, shape: [Int]) -> Data {
    let shapeText: String
    switch shape.count {
    case 0: shapeText = "()"
    case 1: shapeText = "(\(shape[0]),)"
    default: shapeText = "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    let unpadded = 10 + dict.utf8.count + 1
    dict += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
    let length = UInt16(dict.utf8.count)
    out.append(UInt8(length & 0xFF))
    out.append(UInt8(length >> 8))
    out.append(contentsOf: Array(dict.utf8))
    return out
  }

  /// Writes a tensor as little-endian float32 in C order (atomically).
  public static func write(_ tensor: Tensor, to path: String) throws {
    try AtomicFile.write(encode(tensor), to: path)
  }

  /// The bytes of a float32 `.npy` file holding `tensor`.
  public static func encode(_ tensor: Tensor) -> Data {
    var out = header(descr: "<f4", shape: tensor.shape)
    let headerCount = out.count
    out.count += tensor.count * 4
    out.withUnsafeMutableBytes { raw in
      tensor.data.withUnsafeBufferPointer { src in
        for i in 0 ..< src.count {
          raw.storeBytes(of: src[i].bitPattern.littleEndian, toByteOffset: headerCount + 4 * i, as: UInt32.self)
        }
      }
    }
    return out
  }

  /// Writes integers (labels, indices) as little-endian int64 in C order (atomically).
  public static func write(ints: [Int], shape: [Int], to path: String) throws {
    guard shape.reduce(1, *) == ints.count else {
      throw FourierLensError.shapeMismatch("\(ints.count) integers cannot have shape \(shape) (writing \(path))")
    }
    var out = header(descr: "<i8", shape: shape)
    let headerCount = out.count
    out.count += ints.count * 8
    out.withUnsafeMutableBytes { raw in
      for (i, v) in ints.enumerated() {
        raw.storeBytes(of: Int64(v).littleEndian, toByteOffset: headerCount + 8 * i, as: Int64.self)
      }
    }
    try AtomicFile.write(out, to: path)
  }
}
