/// SplitMix64 (Steele, Lea & Flood 2014): the one definition of the project's random
/// stream. The core's `SeededGenerator`, the host's random service for plugins and the
/// plugin kit's own checks all draw from it, so a seed means the same numbers everywhere.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  /// The generator's whole state; a generator made from it continues the same stream.
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
