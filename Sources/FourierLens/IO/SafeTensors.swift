import Foundation

/// A `.safetensors` file (the format of the model hubs): an 8-byte little-endian header
/// length N, N bytes of JSON `{name: {"dtype", "shape", "data_offsets": [begin, end]}, ...,
/// "__metadata__": {...}}`, then the tensors' raw little-endian bytes, offsets relative to
/// the end of the header. Read whole and checked: every tensor's byte range must lie inside
/// the data, match its dtype and shape, and tensors must not overlap.
public struct SafeTensorsFile: Sendable {
  public enum DType: String, Sendable {
    case float32 = "F32", float64 = "F64", float16 = "F16", bfloat16 = "BF16", int64 = "I64"

    public var size: Int {
      switch self {
      case .float16, .bfloat16: return 2
      case .float32: return 4
      case .float64, .int64: return 8
      }
    }
  }

  public struct Entry: Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    /// Where the tensor's bytes (little-endian, C order) lie in `SafeTensorsFile.bytes`.
    public var range: Range<Int>
  }

  /// The whole file, read once; entries point into it.
  public var bytes: [UInt8]
  /// Tensors in the order of their data offsets (the order they were written).
  public var entries: [Entry]

  public static func read(_ path: String) throws -> SafeTensorsFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FourierLensError.badFile(path: path, reason: "cannot read the file")
    }
    return try parse(data, path: path)
  }

  public static func parse(_ data: Data, path: String) throws -> SafeTensorsFile {
    func bad(_ reason: String) -> FourierLensError { .badFile(path: path, reason: "not a readable safetensors file: \(reason)") }
    let bytes = [UInt8](data)
    guard bytes.count >= 8 else { throw bad("shorter than its 8-byte header length") }
    let headerLength = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[$1]) << (8 * UInt64($1)) }
    guard headerLength <= UInt64(bytes.count - 8) else { throw bad("the header length \(headerLength) exceeds the file") }
    let dataStart = 8 + Int(headerLength)
    let header = Data(bytes[8..<dataStart])
    guard let object = try? JSONSerialization.jsonObject(with: header), let table = object as? [String: Any] else {
      throw bad("the header is not a JSON object")
    }
    var entries: [(begin: Int, entry: Entry)] = []
    for (name, value) in table where name != "__metadata__" {
      guard let info = value as? [String: Any], let dtypeName = info["dtype"] as? String,
            let shapeValues = info["shape"] as? [NSNumber], let offsets = info["data_offsets"] as? [NSNumber], offsets.count == 2
      else { throw bad("tensor '\(name)' lacks dtype, shape or data_offsets") }
      guard let dtype = DType(rawValue: dtypeName) else {
        throw bad("tensor '\(name)' has dtype \(dtypeName) (readable: F32, F64, F16, BF16, I64)")
      }
      let shape = shapeValues.map(\.intValue)
      guard shape.allSatisfy({ $0 >= 0 && $0 < 1 << 32 }) else { throw bad("tensor '\(name)' has shape \(shape)") }
      let (begin, end) = (offsets[0].intValue, offsets[1].intValue)
      let (count, overflow) = shape.reduce((1, false)) { acc, d in
        let (p, o) = acc.0.multipliedReportingOverflow(by: d)
        return (p, acc.1 || o)
      }
      let (byteCount, byteOverflow) = count.multipliedReportingOverflow(by: dtype.size)
      guard !overflow, !byteOverflow, begin >= 0, end >= begin, end <= bytes.count - dataStart, end - begin == byteCount else {
        throw bad("tensor '\(name)' has data_offsets [\(begin), \(end)] that do not hold \(shape) \(dtypeName) values inside the data")
      }
      entries.append((begin, Entry(name: name, dtype: dtype, shape: shape, range: (dataStart + begin)..<(dataStart + end))))
    }
    // A zero-element tensor has an empty range (safetensors gives it the offset of its
    // neighbour): it overlaps nothing.
    entries.sort { ($0.begin, $0.entry.range.count, $0.entry.name) < ($1.begin, $1.entry.range.count, $1.entry.name) }
    let filled = entries.filter { !$0.entry.range.isEmpty }
    for (a, b) in zip(filled, filled.dropFirst()) where a.begin + a.entry.range.count > b.begin {
      throw bad("tensors '\(a.entry.name)' and '\(b.entry.name)' overlap")
    }
    return SafeTensorsFile(bytes: bytes, entries: entries.map(\.entry))
  }
}
