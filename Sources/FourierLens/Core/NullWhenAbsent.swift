/// An optional that JSON encoding writes as `null` when absent instead of leaving its key
/// out, for keys every document of a kind has (such as `split` in `flens eval --json` and
/// attack summaries, null for data without splits).
public struct NullWhenAbsent<Value: Encodable>: Encodable {
  public var value: Value?

  public init(_ value: Value?) { self.value = value }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    if let value { try c.encode(value) } else { try c.encodeNil() }
  }
}
