import Foundation

/// The element types of a NumPy array that FourierLens reads (`descr` of the header).
public enum NPYDType: String, Sendable {
  case float32 = "<f4"
  case float64 = "<f8"
  case uint8 = "|u1"
  case int8 = "|i1"
  case int32 = "<i4"
  case int64 = "<i8"
  case bool = "|b1"

  /// Bytes per element.
  public var size: Int {
    switch self {
    case .uint8, .int8, .bool: return 1
    case .float32, .int32: return 4
    case .float64, .int64: return 8
    }
  }

  /// Recognises the spellings NumPy writes for the same type (`<u1` and `|u1`, `<f4` ...).
  init?(descr: String) {
    switch descr {
    case "<f4", "f4": self = .float32
    case "<f8", "f8": self = .float64
    case "|u1", "<u1", "u1": self = .uint8
    case "|i1", "<i1", "i1": self = .int8
    case "<i4", "i4": self = .int32
    case "<i8", "i8": self = .int64
    case "|b1", "<b1", "b1", "?": self = .bool
    default: return nil
    }
  }
}

/// A NumPy array as read from a `.npy` file: its shape, element type and raw
/// little-endian bytes (C order). Converted to Float or Int on demand.
public struct NPYArray: Sendable {
  public let shape: [Int]
  public let dtype: NPYDType
  /// The element bytes exactly as stored (little-endian, C order).
  public let bytes: Data

  public var count: Int { shape.reduce(1, *) }

  /// The values as Float32 (float64 and integers are converted; bool is 0 or 1).
  public func floats() -> [Float] {
    let n = count
    return [Float](unsafeUninitializedCapacity: n) { out, initialized in
      bytes.withUnsafeBytes { raw in
        switch dtype {
        case .float32:
          for i in 0 ..< n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        case .float64:
          for i in 0 ..< n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)))) }
        case .uint8, .bool:
          for i in 0 ..< n { out[i] = Float(raw[i]) }
        case .int8:
          for i in 0 ..< n { out[i] = Float(Int8(bitPattern: raw[i])) }
        case .int32:
          for i in 0 ..< n { out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
        case .int64:
          for i in 0 ..< n { out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
        }
      }
      initialized = n
    }
  }

  /// The values as Int (floats are truncated toward zero; non-finite floats become 0).
  public func ints() -> [Int] {
    switch dtype {
    case .float32, .float64:
      return floats().map { $0.isFinite ? Int(exactly: $0.rounded(.towardZero)) ?? 0 : 0 }
    default:
      let n = count
      return [Int](unsafeUninitializedCapacity: n) { out, initialized in
        bytes.withUnsafeBytes { raw in
          switch dtype {
          case .uint8, .bool: for i in 0 ..< n { out[i] = Int(raw[i]) }
          case .int8: for i in 0 ..< n { out[i] = Int(Int8(bitPattern: raw[i])) }
          case .int32: for i in 0 ..< n { out[i] = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))) }
          case .int64: for i in 0 ..< n { out[i] = Int(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self))) }
          case .float32, .float64: break
          }
        }
        initialized = n
      }
    }
  }

  /// True when every value is an integer in 0...255 stored as an integer type (used to
  /// tell uint8 image data from float pixel data).
  public var isIntegerType: Bool {
    switch dtype {
    case .float32, .float64: return false
    default: return true
    }
  }
}

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
    let header = try parseHeader(data, path: path)
    let n = header.shape.reduce(1, *)
    let (needed, overflow) = n.multipliedReportingOverflow(by: header.dtype.size)
    guard !overflow, data.count - header.dataOffset >= needed else {
      throw FourierLensError.badFile(path: path, reason: "truncated .npy: shape \(header.shape) of \(header.dtype.rawValue) needs \(needed) data bytes, the file has \(data.count - header.dataOffset)")
    }
    let start = data.startIndex + header.dataOffset
    return NPYArray(shape: header.shape, dtype: header.dtype, bytes: Data(data[start ..< start + needed]))
  }

  /// The parsed header of a `.npy` file.
  struct Header {
    var dtype: NPYDType
    var shape: [Int]
    /// Offset of the first element byte.
    var dataOffset: Int
  }

  /// Reads only the header of a `.npy` file (shape and type), without loading the data.
  public static func readShape(_ path: String) throws -> (shape: [Int], dtype: NPYDType) {
    let header = try readHeader(path)
    return (header.shape, header.dtype)
  }

  /// Reads and parses only the header of a `.npy` file.
  static func readHeader(_ path: String) throws -> Header {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FourierLensError.badFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
    }
    defer { try? handle.close() }
    let prefix = (try? handle.read(upToCount: 12)) ?? Data()
    guard prefix.count >= 10 else { throw FourierLensError.badFile(path: path, reason: "not a .npy file (too short)") }
    let major = prefix[prefix.startIndex + 6]
    let headerLength: Int
    let lengthBytes: Int
    if major == 1 {
      headerLength = Int(prefix[prefix.startIndex + 8]) | Int(prefix[prefix.startIndex + 9]) << 8
      lengthBytes = 2
    } else {
      guard prefix.count >= 12 else { throw FourierLensError.badFile(path: path, reason: "not a .npy file (too short)") }
      headerLength = (8 ..< 12).reduce(0) { $0 | Int(prefix[prefix.startIndex + $1]) << (8 * ($1 - 8)) }
      lengthBytes = 4
    }
    guard headerLength < 1 << 20 else { throw FourierLensError.badFile(path: path, reason: "corrupt .npy header length") }
    try? handle.seek(toOffset: 0)
    let head = (try? handle.read(upToCount: 8 + lengthBytes + headerLength)) ?? Data()
    return try parseHeader(head, path: path)
  }

  static func parseHeader(_ data: Data, path: String) throws -> Header {
    func bad(_ reason: String) -> FourierLensError { .badFile(path: path, reason: reason) }
    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY
    guard data.count >= 10, Array(data.prefix(6)) == magic else { throw bad("not a .npy file (bad magic)") }
    let b = { (i: Int) -> Int in Int(data[data.startIndex + i]) }
    let major = b(6)
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
      headerLength = b(8) | b(9) << 8
      headerStart = 10
    case 2, 3:
      guard data.count >= 12 else { throw bad("truncated .npy header") }
      headerLength = b(8) | b(9) << 8 | b(10) << 16 | b(11) << 24
      headerStart = 12
    default:
      throw bad("unsupported .npy format version \(major)")
    }
    guard data.count >= headerStart + headerLength else { throw bad("truncated .npy header") }
    let headerBytes = data[(data.startIndex + headerStart) ..< (data.startIndex + headerStart + headerLength)]
    guard let text = String(data: headerBytes, encoding: major == 3 ? .utf8 : .isoLatin1) else { throw bad("unreadable .npy header") }

    guard let descr = dictValue(text, key: "descr"), let quote = descr.first, quote == "'" || quote == "\"",
          let end = descr.dropFirst().firstIndex(of: quote) else {
      throw bad("the .npy header has no 'descr' string (structured dtypes are not supported)")
    }
    let descrString = String(descr[descr.index(after: descr.startIndex) ..< end])
    guard let dtype = NPYDType(descr: descrString) else {
      if descrString.hasPrefix(">") {
        throw bad("big-endian .npy data ('\(descrString)') is not supported; save it little-endian (arr.astype('<f4'))")
      }
      throw bad("unsupported .npy element type '\(descrString)' (supported: <f4, <f8, |u1, |i1, <i4, <i8, |b1)")
    }
    guard let fortran = dictValue(text, key: "fortran_order") else { throw bad("the .npy header has no 'fortran_order'") }
    if fortran.hasPrefix("True") {
      throw bad("Fortran-order .npy arrays are not supported; save a C-order array (np.ascontiguousarray)")
    }
    guard fortran.hasPrefix("False") else { throw bad("corrupt 'fortran_order' in the .npy header") }
    guard let shapeText = dictValue(text, key: "shape"), shapeText.hasPrefix("("),
          let close = shapeText.firstIndex(of: ")") else {
      throw bad("the .npy header has no 'shape'")
    }
    let inner = shapeText[shapeText.index(after: shapeText.startIndex) ..< close]
    var shape = [Int]()
    for part in inner.split(separator: ",") {
      let trimmed = part.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "L", with: "")
      if trimmed.isEmpty { continue }
      guard let d = Int(trimmed), d >= 0 else { throw bad("corrupt shape '\(shapeText[...close])' in the .npy header") }
      shape.append(d)
    }
    var total = 1
    for d in shape {
      let (p, o) = total.multipliedReportingOverflow(by: d)
      guard !o, p < 1 << 40 else { throw bad("shape \(shape) in the .npy header is too large") }
      total = p
    }
    return Header(dtype: dtype, shape: shape, dataOffset: headerStart + headerLength)
  }

  /// The text after `'key':` in the header dictionary, up to the end of the header.
  private static func dictValue(_ text: String, key: String) -> Substring? {
    for quote in ["'", "\""] {
      if let r = text.range(of: "\(quote)\(key)\(quote)") {
        var rest = text[r.upperBound...]
        rest = rest.drop { $0 == " " }
        guard rest.first == ":" else { return nil }
        return rest.dropFirst().drop { $0 == " " }
      }
    }
    return nil
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
