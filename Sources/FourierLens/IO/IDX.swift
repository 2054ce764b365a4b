import Foundation

/// The IDX format of MNIST (and Fashion-MNIST, EMNIST): a big-endian header — two zero
/// bytes, a type code, the number of dimensions, one UInt32 per dimension — then the
/// values in C order. FourierLens reads unsigned-byte IDX files (type 0x08).
public enum IDX {
  public struct Header: Equatable, Sendable {
    public var shape: [Int]
    /// Offset of the first value.
    public var dataOffset: Int
  }

  /// Reads and checks the header of an unsigned-byte IDX file with `rank` dimensions,
  /// including that the file holds all the values it announces.
  public static func readHeader(_ path: String, rank: Int) throws -> Header {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw FourierLensError.badFile(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file")
    }
    defer { try? handle.close() }
    let head = [UInt8]((try? handle.read(upToCount: 4 + 4 * rank)) ?? Data())
    if head.count >= 2 && head[0] == 0x1F && head[1] == 0x8B {
      throw FourierLensError.badFile(path: path, reason: "gzip-compressed IDX files are not read directly; decompress it first (gunzip)")
    }
    guard head.count >= 4, head[0] == 0, head[1] == 0 else { throw FourierLensError.badFile(path: path, reason: "not an IDX file (bad magic number)") }
    guard head[2] == 0x08 else {
      throw FourierLensError.badFile(path: path, reason: String(format: "IDX element type 0x%02X is not supported (only unsigned bytes, 0x08)", head[2]))
    }
    guard Int(head[3]) == rank else { throw FourierLensError.badFile(path: path, reason: "expected an IDX array of \(rank) dimensions, found \(head[3])") }
    guard head.count == 4 + 4 * rank else { throw FourierLensError.badFile(path: path, reason: "truncated IDX header") }
    var shape = [Int]()
    for d in 0 ..< rank {
      let o = 4 + 4 * d
      shape.append(Int(head[o]) << 24 | Int(head[o + 1]) << 16 | Int(head[o + 2]) << 8 | Int(head[o + 3]))
    }
    // Four 32-bit dimensions can overflow Int: refuse such a shape instead of trapping.
    var needed = 1
    for d in shape {
      let (p, overflow) = needed.multipliedReportingOverflow(by: d)
      guard !overflow, p <= 1 << 48 else {
        throw FourierLensError.badFile(path: path, reason: "shape \(shape) in the IDX header is impossibly large (corrupt file?)")
      }
      needed = p
    }
    let size = (try? handle.seekToEnd()).map(Int.init) ?? 0
    let offset = 4 + 4 * rank
    guard size - offset >= needed else {
      throw FourierLensError.badFile(path: path, reason: "truncated: shape \(shape) needs \(needed) value bytes, the file has \(max(size - offset, 0))")
    }
    return Header(shape: shape, dataOffset: offset)
  }
}
