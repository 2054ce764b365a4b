import Foundation

/// A 64-bit FNV-1a hash, for cache keys of experiment steps (not for security).
public struct StepKey: Equatable, Hashable, Sendable, CustomStringConvertible {
  public let value: UInt64

  public init(_ parts: [String]) {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for part in parts {
      for byte in part.utf8 { h = (h ^ UInt64(byte)) &* 0x100_0000_01B3 }
      h = (h ^ 0xFF) &* 0x100_0000_01B3  // separator
    }
    value = h
  }

  /// Canonical (key-sorted) JSON of a value, so equal configurations hash equally.
  public static func canonical<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    return (try? String(decoding: e.encode(value), as: UTF8.self)) ?? ""
  }

  public var description: String { String(format: "%016llx", value) }
}
