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
  public init?(descr: String) {
    switch descr {
    case "<f4", "f4", "=f4": self = .float32
    case "<f8", "f8", "=f8": self = .float64
    case "|u1", "<u1", "u1": self = .uint8
    case "|i1", "<i1", "i1": self = .int8
    case "<i4", "i4": self = .int32
    case "<i8", "i8": self = .int64
    case "|b1", "<b1", "b1", "?": self = .bool
    default: return nil
    }
  }
}

/// Why bytes are not a `.npy` file FourierLens can read; the reader that caught it names the
/// file. (The parser's functions throw only this; they are not declared with typed throws
/// because Swift 6.3 crashes compiling a Swift 5 mode caller's `catch` of one.)
public struct NPYFormatError: Error, Sendable {
  public let reason: String
  public init(_ reason: String) { self.reason = reason }
}

/// A NumPy array as read from a `.npy` file: its shape, element type and raw
/// little-endian bytes (C order). Converted to Float or Int on demand.
public struct NPYArray: Sendable {
  public let shape: [Int]
  public let dtype: NPYDType
  /// The element bytes exactly as stored (little-endian, C order).
  public let bytes: Data

  public init(shape: [Int], dtype: NPYDType, bytes: Data) {
    self.shape = shape
    self.dtype = dtype
    self.bytes = bytes
  }

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

/// The `.npy` format (versions 1.0–3.0): the one parser of its header and data, shared by
/// the core's reader (`NPY`) and the plugins, which cannot link the core.
public enum NPYFormat {
  /// The parsed header of a `.npy` file.
  public struct Header: Sendable {
    public var dtype: NPYDType
    public var shape: [Int]
    /// Offset of the first element byte.
    public var dataOffset: Int
  }

  /// The first six bytes of every `.npy` file: \x93NUMPY.
  static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]

  /// How many bytes the whole header takes, from the file's first 12 bytes (10 suffice for
  /// version 1.0): what a reader must load to parse the header without the data.
  public static func headerByteCount(prefix data: Data) throws -> Int {
    guard data.count >= 10 else { throw NPYFormatError("not a .npy file (too short)") }
    guard Array(data.prefix(6)) == magic else { throw NPYFormatError("not a .npy file (bad magic)") }
    let b = { (i: Int) -> Int in Int(data[data.startIndex + i]) }
    let (headerStart, headerLength) = try lengths(data, byte: b)
    guard headerLength < 1 << 20 else { throw NPYFormatError("corrupt .npy header length") }
    return headerStart + headerLength
  }

  private static func lengths(_ data: Data, byte b: (Int) -> Int) throws -> (start: Int, length: Int) {
    switch b(6) {
    case 1:
      return (10, b(8) | b(9) << 8)
    case 2, 3:
      guard data.count >= 12 else { throw NPYFormatError("truncated .npy header") }
      return (12, b(8) | b(9) << 8 | b(10) << 16 | b(11) << 24)
    default:
      throw NPYFormatError("unsupported .npy format version \(b(6))")
    }
  }

  /// Parses the header at the start of `data` (the data itself need not follow).
  public static func parseHeader(_ data: Data) throws -> Header {
    func bad(_ reason: String) -> NPYFormatError { NPYFormatError(reason) }
    guard data.count >= 10, Array(data.prefix(6)) == magic else { throw bad("not a .npy file (bad magic)") }
    let b = { (i: Int) -> Int in Int(data[data.startIndex + i]) }
    let major = b(6)
    let (headerStart, headerLength) = try lengths(data, byte: b)
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

  /// Parses the bytes of a whole `.npy` file.
  public static func parse(_ data: Data) throws -> NPYArray {
    let header = try parseHeader(data)
    let n = header.shape.reduce(1, *)
    let (needed, overflow) = n.multipliedReportingOverflow(by: header.dtype.size)
    guard !overflow, data.count - header.dataOffset >= needed else {
      throw NPYFormatError("truncated .npy: shape \(header.shape) of \(header.dtype.rawValue) needs \(needed) data bytes, the file has \(data.count - header.dataOffset)")
    }
    let start = data.startIndex + header.dataOffset
    return NPYArray(shape: header.shape, dtype: header.dtype, bytes: Data(data[start ..< start + needed]))
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
}
