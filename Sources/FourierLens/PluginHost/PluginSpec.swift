/// A plugin reference as users write it: `name:key=value,key=value` (for example
/// `pgd-linf:eps=0.03,alpha=0.0075,steps=10`, or just `free`).
///
/// Syntax: the name is everything before the first `:`; options are separated by `,`;
/// each option is `key=value`, split at its first `=` (so values may contain `=` and `:`,
/// such as file paths, but not `,`). Spaces around names, keys and values are ignored.
/// Parsing checks the syntax only; the plugin's schema checks keys and values
/// (`PluginParameterSchema.validate`).
public struct PluginSpec: Equatable, Sendable, CustomStringConvertible {
  public var name: String
  /// Options in the order written.
  public var options: [(key: String, value: String)]

  public init(name: String, options: [(key: String, value: String)] = []) {
    self.name = name
    self.options = options
  }

  public static func == (a: PluginSpec, b: PluginSpec) -> Bool {
    a.name == b.name && a.options.count == b.options.count
      && zip(a.options, b.options).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }

  /// The value given for `key`, if any.
  public subscript(key: String) -> String? { options.first { $0.key == key }?.value }

  /// Parses `text`; `option` names the command-line option or file field it came from,
  /// for the error message.
  ///
  /// The separators `:`, `,` and `=` are found among Unicode scalars, not characters: a
  /// combining mark after a separator would otherwise merge with it into one character and
  /// hide it, and a spec would not read back to itself once printed (a fuzz finding).
  public static func parse(_ text: String, option: String = "plugin spec") throws -> PluginSpec {
    let trimmed = text.unicodeScalars.trimmingSpaces
    let name: String
    var rest: Substring.UnicodeScalarView?
    if let colon = trimmed.firstIndex(of: ":") {
      name = String(trimmed[..<colon].trimmingSpaces)
      rest = trimmed[trimmed.index(after: colon)...]
    } else {
      name = String(trimmed)
    }
    guard isValidName(name) else {
      throw FourierLensError.badOption(
        name: option,
        reason: "'\(text)': a plugin spec is name:key=value,... with a name of lower-case letters, digits, '-' and '_'")
    }
    var spec = PluginSpec(name: name)
    if let rest, !rest.trimmingSpaces.isEmpty {
      for item in rest.split(separator: ",", omittingEmptySubsequences: false) {
        guard let eq = item.firstIndex(of: "=") else {
          throw FourierLensError.badOption(name: option, reason: "'\(text)': '\(String(item.trimmingSpaces))' is not key=value")
        }
        let key = String(item[..<eq].trimmingSpaces)
        let value = String(item[item.index(after: eq)...].trimmingSpaces)
        guard !key.isEmpty else {
          throw FourierLensError.badOption(name: option, reason: "'\(text)': an option without a key")
        }
        guard spec[key] == nil else {
          throw FourierLensError.badOption(name: option, reason: "'\(text)': option '\(key)' is given twice")
        }
        spec.options.append((key, value))
      }
    }
    return spec
  }

  /// Several specs in one comma-separated value, as `--augment SPEC,...` takes them:
  /// `base,scale:min=0.5,max=1.5,rotate` is `base`, `scale:min=0.5,max=1.5` and `rotate`.
  /// A comma-separated item of the form `key=value` (no `:` before its `=`) continues the
  /// options of the spec before it; any other item starts a new spec.
  public static func parseList(_ text: String, option: String = "plugin specs") throws -> [PluginSpec] {
    var groups: [String] = []
    for item in text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
      let isOption: Bool
      let scalars = item.unicodeScalars
      if let eq = scalars.firstIndex(of: "=") { isOption = !scalars[..<eq].contains(":") } else { isOption = false }
      if isOption, !groups.isEmpty {
        groups[groups.count - 1] += "," + item
      } else {
        groups.append(item)
      }
    }
    return try groups.map { try parse($0, option: option) }
  }

  /// `[a-z0-9][a-z0-9_-]*`: the names plugins may register.
  public static func isValidName(_ name: String) -> Bool {
    guard let first = name.unicodeScalars.first, isNameStart(first) else { return false }
    return name.unicodeScalars.allSatisfy { isNameStart($0) || $0 == "-" || $0 == "_" }
  }

  private static func isNameStart(_ c: Unicode.Scalar) -> Bool {
    (c >= "a" && c <= "z") || (c >= "0" && c <= "9")
  }

  public var description: String {
    options.isEmpty ? name : name + ":" + options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }
}

fileprivate extension Substring.UnicodeScalarView {
  /// Without leading and trailing spaces and tabs.
  var trimmingSpaces: Substring.UnicodeScalarView {
    var s = self
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return s
  }
}

fileprivate extension String.UnicodeScalarView {
  var trimmingSpaces: Substring.UnicodeScalarView { self[...].trimmingSpaces }
}
