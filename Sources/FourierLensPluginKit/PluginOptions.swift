/// The validated option values a plugin instance is created with, read by name.
///
/// Under the host, values come from the C `flens_options` (already parsed and checked
/// against the schema, defaults filled in). For an author's own unit tests,
/// `init(schema:values:)` parses text values the same way, without a host.
public struct PluginOptions: Sendable {
  /// One option's value in every form the schema types need.
  public struct Value: Sendable, Equatable {
    public var number: Double
    public var integer: Int64
    public var text: String
  }

  private var values: [String: Value]
  private var kinds: [String: PluginParameter.Kind]

  /// Reads the C options in schema order.
  init(schema: [PluginParameter], options: UnsafePointer<flens_options>?) throws {
    values = [:]
    kinds = [:]
    let count = Int(options?.pointee.count ?? 0)
    guard count == schema.count else {
      throw PluginError.invalidArgument("expected \(schema.count) option values, the host passed \(count)")
    }
    guard count == 0 || options?.pointee.values != nil else {
      throw PluginError.invalidArgument("option values missing")
    }
    for (i, p) in schema.enumerated() {
      let v = options!.pointee.values[i]
      values[p.name] = Value(number: v.number, integer: v.integer, text: v.text.map { String(cString: $0) } ?? "")
      kinds[p.name] = p.kind
    }
  }

  /// Parses `values` (text, as after `name:`) against `schema`, filling in defaults, for
  /// testing a plugin without the host. Unknown keys and malformed values throw.
  public init(schema: [PluginParameter], values text: [String: String] = [:]) throws {
    values = [:]
    kinds = [:]
    for key in text.keys where !schema.contains(where: { $0.name == key }) {
      throw PluginError.invalidArgument("unknown option '\(key)'")
    }
    for p in schema {
      let raw = text[p.name] ?? p.defaultValue
      kinds[p.name] = p.kind
      switch p.kind {
      case .float:
        guard let d = Double(raw), d.isFinite else { throw PluginError.invalidArgument("option \(p.name): '\(raw)' is not a number") }
        if let lo = p.minimum, d < lo { throw PluginError.invalidArgument("option \(p.name): \(raw) is below \(lo)") }
        if let hi = p.maximum, d > hi { throw PluginError.invalidArgument("option \(p.name): \(raw) is above \(hi)") }
        values[p.name] = Value(number: d, integer: 0, text: raw)
      case .int:
        guard let i = Int64(raw) else { throw PluginError.invalidArgument("option \(p.name): '\(raw)' is not an integer") }
        if let lo = p.minimum, Double(i) < lo { throw PluginError.invalidArgument("option \(p.name): \(raw) is below \(lo)") }
        if let hi = p.maximum, Double(i) > hi { throw PluginError.invalidArgument("option \(p.name): \(raw) is above \(hi)") }
        values[p.name] = Value(number: Double(i), integer: i, text: raw)
      case .bool:
        switch raw.lowercased() {
        case "true", "1", "yes": values[p.name] = Value(number: 0, integer: 1, text: "true")
        case "false", "0", "no": values[p.name] = Value(number: 0, integer: 0, text: "false")
        default: throw PluginError.invalidArgument("option \(p.name): '\(raw)' is not true or false")
        }
      case .string:
        values[p.name] = Value(number: 0, integer: 0, text: raw)
      case let .choice(choices):
        guard let i = choices.firstIndex(of: raw) else {
          throw PluginError.invalidArgument("option \(p.name): '\(raw)' is not one of \(choices.joined(separator: ", "))")
        }
        values[p.name] = Value(number: 0, integer: Int64(i), text: raw)
      }
    }
  }

  private func value(_ name: String) throws -> Value {
    guard let v = values[name] else { throw PluginError.internalError("the plugin reads option '\(name)', which its schema does not declare") }
    return v
  }

  public func double(_ name: String) throws -> Double { try value(name).number }
  public func float(_ name: String) throws -> Float { Float(try value(name).number) }
  public func int(_ name: String) throws -> Int { Int(try value(name).integer) }
  public func bool(_ name: String) throws -> Bool { try value(name).integer != 0 }
  /// STRING and CHOICE options (a choice reads as the chosen alternative).
  public func string(_ name: String) throws -> String { try value(name).text }
}
