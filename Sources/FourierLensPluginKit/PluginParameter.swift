/// One option of a plugin's schema, as the author declares it in Swift. The kit turns the
/// list into the C `flens_parameter` array of the descriptor; the host validates every
/// `name:key=value` spec against it before the plugin sees the values.
public struct PluginParameter: Sendable {
  public enum Kind: Sendable, Equatable {
    case float, int, bool, string
    case choice([String])
  }

  public var name: String
  public var kind: Kind
  /// The default as text (as a user would type it).
  public var defaultValue: String
  public var minimum: Double?
  public var maximum: Double?
  public var help: String

  public init(name: String, kind: Kind, defaultValue: String, minimum: Double? = nil, maximum: Double? = nil, help: String) {
    self.name = name
    self.kind = kind
    self.defaultValue = defaultValue
    self.minimum = minimum
    self.maximum = maximum
    self.help = help
  }

  public static func float(_ name: String, default value: Double, min: Double? = nil, max: Double? = nil, help: String) -> PluginParameter {
    PluginParameter(name: name, kind: .float, defaultValue: PluginParameter.format(value), minimum: min, maximum: max, help: help)
  }

  public static func int(_ name: String, default value: Int, min: Int? = nil, max: Int? = nil, help: String) -> PluginParameter {
    PluginParameter(name: name, kind: .int, defaultValue: String(value), minimum: min.map(Double.init), maximum: max.map(Double.init), help: help)
  }

  public static func bool(_ name: String, default value: Bool, help: String) -> PluginParameter {
    PluginParameter(name: name, kind: .bool, defaultValue: value ? "true" : "false", help: help)
  }

  public static func string(_ name: String, default value: String, help: String) -> PluginParameter {
    PluginParameter(name: name, kind: .string, defaultValue: value, help: help)
  }

  public static func choice(_ name: String, _ choices: [String], default value: String, help: String) -> PluginParameter {
    PluginParameter(name: name, kind: .choice(choices), defaultValue: value, help: help)
  }

  /// Shortest text that reads back as the same Double (so `0.03` stays `0.03`).
  static func format(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
    return "\(v)"
  }
}
