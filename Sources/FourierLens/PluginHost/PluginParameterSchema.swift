import FourierLensPluginABI
import Foundation

/// One option of a plugin, as the host reads it from the descriptor's schema (for
/// validation, `flens plugins`, and help texts).
public struct PluginParameterInfo: Codable, Equatable, Sendable {
  public enum ValueType: String, Codable, Sendable {
    case float, int, bool, string, choice
  }

  public var name: String
  public var type: ValueType
  /// The default as text.
  public var defaultValue: String
  public var minimum: Double?
  public var maximum: Double?
  /// CHOICE only.
  public var choices: [String]?
  public var help: String

  enum CodingKeys: String, CodingKey {
    case name, type, defaultValue = "default", minimum, maximum, choices, help
  }

  public init(name: String, type: ValueType, defaultValue: String, minimum: Double? = nil, maximum: Double? = nil,
              choices: [String]? = nil, help: String) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.minimum = minimum
    self.maximum = maximum
    self.choices = choices
    self.help = help
  }

  /// One-line text for help output: `eps (float, default 0.03, 0…1): help`.
  public var helpLine: String {
    var kind = type.rawValue
    if let choices { kind = choices.joined(separator: "|") }
    var range = ""
    if minimum != nil || maximum != nil {
      range = ", " + (minimum.map { PluginParameterInfo.format($0) } ?? "") + "…" + (maximum.map { PluginParameterInfo.format($0) } ?? "")
    }
    return "\(name) (\(kind), default \(defaultValue)\(range)): \(help)"
  }

  static func format(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : "\(v)"
  }

  /// Parses and checks `text` against this parameter (option `optionName` in messages).
  func parse(_ text: String, optionName: String) throws -> PluginOptionValue {
    func bad(_ reason: String) -> FourierLensError { .badOption(name: optionName, reason: reason) }
    func checkRange(_ v: Double) throws {
      if let lo = minimum, v < lo { throw bad("\(text) is below the minimum \(PluginParameterInfo.format(lo))") }
      if let hi = maximum, v > hi { throw bad("\(text) is above the maximum \(PluginParameterInfo.format(hi))") }
    }
    switch type {
    case .float:
      guard let d = Double(text), d.isFinite else { throw bad("'\(text)' is not a finite number") }
      try checkRange(d)
      return PluginOptionValue(number: d, integer: 0, text: text)
    case .int:
      guard let i = Int64(text) else { throw bad("'\(text)' is not an integer") }
      try checkRange(Double(i))
      return PluginOptionValue(number: Double(i), integer: i, text: text)
    case .bool:
      switch text.lowercased() {
      case "true", "1", "yes": return PluginOptionValue(number: 0, integer: 1, text: "true")
      case "false", "0", "no": return PluginOptionValue(number: 0, integer: 0, text: "false")
      default: throw bad("'\(text)' is not a boolean (true/false, yes/no or 1/0)")
      }
    case .string:
      return PluginOptionValue(number: 0, integer: 0, text: text)
    case .choice:
      let list = choices ?? []
      guard let i = list.firstIndex(of: text) else { throw bad("'\(text)' is not one of \(list.joined(separator: ", "))") }
      return PluginOptionValue(number: 0, integer: Int64(i), text: text)
    }
  }
}

/// One validated option value, in every form the C `flens_value` carries.
public struct PluginOptionValue: Equatable, Sendable {
  public var number: Double
  public var integer: Int64
  public var text: String
}

/// The validated options of one plugin instance, in schema order, owning the C copies
/// (`flens_options`) handed to the plugin's `create`.
public final class PluginOptionValues {
  public let values: [PluginOptionValue]
  private let texts: [UnsafeMutablePointer<CChar>]
  private let cValues: UnsafeMutablePointer<flens_value>

  init(values: [PluginOptionValue]) {
    self.values = values
    texts = values.map { strdup($0.text)! }
    cValues = .allocate(capacity: max(1, values.count))
    for (i, v) in values.enumerated() {
      (cValues + i).initialize(to: flens_value(number: v.number, integer: v.integer, text: UnsafePointer(texts[i])))
    }
  }

  deinit {
    cValues.deinitialize(count: values.count)
    cValues.deallocate()
    texts.forEach { free($0) }
  }

  /// Calls `body` with the C options (valid during the call).
  func withCOptions<R>(_ body: (UnsafePointer<flens_options>) throws -> R) rethrows -> R {
    var options = flens_options(struct_size: UInt32(MemoryLayout<flens_options>.size), count: UInt32(values.count),
                                values: UnsafePointer(cValues))
    return try withUnsafePointer(to: &options) { try body($0) }
  }
}

/// Validation of a spec's options against a plugin's schema.
public enum PluginParameterSchema {
  /// Every value of `schema` for `spec`: given ones parsed and range-checked, the rest from
  /// the defaults. Unknown keys, malformed values and values out of range are errors
  /// naming `plugin:key` and listing what is accepted.
  public static func validate(_ spec: PluginSpec, schema: [PluginParameterInfo]) throws -> [PluginOptionValue] {
    for (key, _) in spec.options where !schema.contains(where: { $0.name == key }) {
      let known = schema.isEmpty ? "it takes no options" : "it takes " + schema.map(\.name).joined(separator: ", ")
      throw FourierLensError.badOption(name: "\(spec.name):\(key)", reason: "unknown option of plugin '\(spec.name)'; \(known)")
    }
    return try schema.map { p in
      try p.parse(spec[p.name] ?? p.defaultValue, optionName: "\(spec.name):\(p.name)")
    }
  }
}
