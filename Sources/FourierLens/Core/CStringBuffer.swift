extension String {
  /// The text a C function wrote into `buffer` (a message or a name, NUL-terminated, or
  /// filling the buffer), decoded as UTF-8 with invalid bytes repaired. Replaces the
  /// deprecated `String(cString: [CChar])`.
  public init(nulTerminated buffer: [CChar]) {
    self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}
