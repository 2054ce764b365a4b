import Foundation

/// One kind of probe, declared once in the probe's own file: its name, what it measures, its
/// parameters (from which parsing, checking with the nearest-name suggestion, `flens probe
/// --help` and README's probe table come), what it needs from its host, and how it is made.
/// `ProbeKind.all` is the one list of kinds.
public struct ProbeKind: Sendable {
  /// What a spec writes first: `bands` in `bands:radial=16`.
  public let name: String
  /// One line, for `flens probe --help`.
  public let summary: String
  /// For `attack:SPEC` and `corruption:SPEC`: the rest of the spec is a plugin spec of this kind
  /// (its own options are the plugin's), not the probe's parameters.
  public let plugin: PluginKind?
  public let parameters: [ProbeParameter]
  public let needs: ProbeNeeds
  let make: @Sendable (ProbeArguments, ProbeHost) throws -> Probe

  public init(name: String, summary: String, plugin: PluginKind? = nil, parameters: [ProbeParameter] = [],
              needs: ProbeNeeds = [], make: @escaping @Sendable (ProbeArguments, ProbeHost) throws -> Probe) {
    self.name = name
    self.summary = summary
    self.plugin = plugin
    self.parameters = parameters
    self.needs = needs
    self.make = make
  }

  /// Every probe kind, in the order help and README list them.
  public static let all: [ProbeKind] = [
    AccuracyProbe.kind, AttackProbe.kind, CorruptionProbe.kind, FourierHeatmapProbe.kind, PassbandProbe.kind,
    BandsProbe.kind, DCTBlockMarginProbe.kind, FrequencyAblationProbe.kind, MaskAlignmentProbe.kind,
    NeuralAnisotropyProbe.kind, MaskEmbeddingProbe.kind, GradientSpectrumProbe.kind,
  ]

  public static func named(_ name: String) -> ProbeKind? { all.first { $0.name == name } }

  /// How a spec of this kind is written, with every parameter's default:
  /// `bands[:radial=16,angular=8,metric=euclidean]`, `attack:SPEC`,
  /// `alignment:adversarial=DIR[,radial=16,resamples=1000]`.
  public var signature: String {
    if plugin != nil { return name + ":SPEC" }
    let required = parameters.filter(\.required).map { "\($0.name)=\($0.placeholder)" }
    let optional = parameters.filter { !$0.required }.map { "\($0.name)=\($0.defaultValue ?? "")" }
    switch (required.isEmpty, optional.isEmpty) {
    case (true, true): return name
    case (true, false): return name + "[:" + optional.joined(separator: ",") + "]"
    case (false, true): return name + ":" + required.joined(separator: ",")
    case (false, false): return name + ":" + required.joined(separator: ",") + "[," + optional.joined(separator: ",") + "]"
    }
  }
}

/// A parameter of a probe kind: its name as a spec writes it, its type, its default (as a spec
/// would write it; nil when it has none) and what it means.
public struct ProbeParameter: Sendable {
  public enum ValueType: Sendable, Equatable {
    case integer
    case number
    case boolean
    /// A path to a directory or file.
    case path
    /// One of these words.
    case choice([String])
    /// Numbers separated by `|`: `1|5|10`.
    case numbers
  }

  public let name: String
  public let type: ValueType
  public let defaultValue: String?
  public let required: Bool
  public let help: String

  public init(_ name: String, _ type: ValueType, default defaultValue: String? = nil, required: Bool = false, help: String) {
    self.name = name
    self.type = type
    self.defaultValue = defaultValue
    self.required = required
    self.help = help
  }

  /// How a required parameter's value is shown: `DIR` for a path.
  var placeholder: String { type == .path ? "DIR" : "VALUE" }
}

/// The parameters several probes share, declared once.
extension ProbeParameter {
  static func radialBands(default d: Int) -> ProbeParameter { ProbeParameter("radial", .integer, default: "\(d)", help: "radial bands") }
  static func angularSectors(default d: Int) -> ProbeParameter { ProbeParameter("angular", .integer, default: "\(d)", help: "angular sectors") }
  static let radiusMetric = ProbeParameter("metric", .choice(RadiusMetric.allCases.map(\.rawValue)), default: RadiusMetric.euclidean.rawValue,
                                           help: "the radius of a frequency")
}

/// What a probe kind needs from its host beyond a model and images; a host without it
/// refuses the probe before any work.
public struct ProbeNeeds: OptionSet, Sendable {
  public let rawValue: Int
  public init(rawValue: Int) { self.rawValue = rawValue }
  /// A host that can train fresh networks (`ProbeHost.trainers`).
  public static let trainers = ProbeNeeds(rawValue: 1 << 0)
  /// A linear solver (`ProbeHost.linearAnalysis`).
  public static let linearAnalysis = ProbeNeeds(rawValue: 1 << 1)
  /// Image masks (`learn-mask --scope image`, or an experiment's `image_masks:`) paired with
  /// their images, instead of the dataset mask.
  public static let imageMasks = ProbeNeeds(rawValue: 1 << 2)
}

/// What a host offers the probes it makes.
public struct ProbeHost {
  public var registry: PluginRegistry
  /// The baseline model's mask (`bands` measures differences against it).
  public var baseline: LearnedMask?
  public var trainers: ArchitectureTrainerFactory?
  public var linearAnalysis: LinearAnalysis?

  public init(registry: PluginRegistry, baseline: LearnedMask? = nil, trainers: ArchitectureTrainerFactory? = nil,
              linearAnalysis: LinearAnalysis? = nil) {
    self.registry = registry
    self.baseline = baseline
    self.trainers = trainers
    self.linearAnalysis = linearAnalysis
  }

  /// Whether the host has what `needs` asks for (image masks are the caller's to supply).
  func refusal(of needs: ProbeNeeds) -> String? {
    if needs.contains(.trainers) && trainers == nil { return "needs a host that can train networks" }
    if needs.contains(.linearAnalysis) && linearAnalysis == nil { return "needs a host with a linear solver" }
    return nil
  }
}

/// The values of one spec, checked against its kind's parameters: a parameter not given has
/// its declared default.
public struct ProbeArguments {
  /// The spec as written (`bands:radial=8`), for messages.
  public let spec: String
  /// For a kind that takes a plugin: the plugin spec after `name:`, parsed and as written.
  public let plugin: PluginSpec?
  public let pluginText: String
  public let kind: ProbeKind
  let values: [String: String]

  /// The option a message names: `--probe bands:radial=8`.
  var option: String { "--probe \(spec)" }

  init(spec: String, kind: ProbeKind, rest: String) throws {
    self.spec = spec
    self.kind = kind
    let option = "--probe \(spec)"
    if kind.plugin != nil {
      guard !rest.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw FourierLensError.badOption(name: option, reason: "needs a plugin spec, e.g. \(kind.name):\(kind.plugin == .attack ? "pgd-linf:eps=0.03" : "gaussian-noise:sigma=0.05|0.1")")
      }
      plugin = try PluginSpec.parse(rest, option: option)
      pluginText = rest
      values = [:]
      return
    }
    plugin = nil
    pluginText = ""
    var values: [String: String] = [:]
    if !rest.trimmingCharacters(in: .whitespaces).isEmpty {
      guard !kind.parameters.isEmpty else { throw FourierLensError.badOption(name: option, reason: "takes no options") }
      let names = kind.parameters.map(\.name)
      for (key, value) in try PluginSpec.parse("probe:" + rest, option: option).options {
        guard let parameter = kind.parameters.first(where: { $0.name == key }) else {
          let hint = NearestName.of(key, in: names).map { "did you mean '\($0)'? " } ?? ""
          throw FourierLensError.badOption(name: option, reason: "unknown option '\(key)'; \(hint)options: \(names.sorted().joined(separator: ", "))")
        }
        try ProbeArguments.check(value, of: parameter, option: option)
        values[key] = value
      }
    }
    for p in kind.parameters where p.required && values[p.name] == nil {
      throw FourierLensError.badOption(name: option, reason: "needs \(p.name)=\(p.placeholder): \(p.help)")
    }
    self.values = values
  }

  /// Whether the spec wrote this parameter (as opposed to taking its default).
  public func given(_ name: String) -> Bool { values[name] != nil }

  /// The parameter's value as written, else its default (nil when it has none).
  public func text(_ name: String) -> String? {
    precondition(kind.parameters.contains { $0.name == name }, "\(kind.name) declares no parameter '\(name)'")
    return values[name] ?? kind.parameters.first { $0.name == name }?.defaultValue
  }

  public func int(_ name: String) -> Int? { text(name).flatMap { Int($0) } }
  public func float(_ name: String) -> Float? { text(name).flatMap { Float($0) } }
  public func double(_ name: String) -> Double? { text(name).flatMap { Double($0) } }
  public func bool(_ name: String) -> Bool? { text(name).flatMap(ProbeArguments.boolean) }
  public func numbers(_ name: String) -> [Double]? { text(name).map { $0.split(separator: "|").compactMap { Double($0) } } }

  /// `true`, `1`, `yes` and `false`, `0`, `no` (any case).
  static func boolean(_ text: String) -> Bool? {
    switch text.lowercased() {
    case "true", "1", "yes": return true
    case "false", "0", "no": return false
    default: return nil
    }
  }

  /// A value that cannot be read as its parameter's type is refused at once, naming it.
  static func check(_ value: String, of p: ProbeParameter, option: String) throws {
    func bad(_ what: String) -> FourierLensError { .badOption(name: option, reason: "\(p.name)=\(value) is not \(what)") }
    switch p.type {
    case .integer: guard Int(value) != nil else { throw bad("an integer") }
    case .number: guard let d = Double(value), d.isFinite else { throw bad("a number") }
    case .boolean: guard boolean(value) != nil else { throw bad("true or false") }
    case .path: guard !value.isEmpty else { throw bad("a path") }
    case .choice(let words):
      guard words.contains(value) else { throw FourierLensError.badOption(name: option, reason: "\(p.name) must be \(words.joined(separator: " or "))") }
    case .numbers:
      for part in value.split(separator: "|", omittingEmptySubsequences: false) {
        guard let d = Double(part), d.isFinite else {
          throw FourierLensError.badOption(name: option, reason: "\(p.name)=\(value): '\(part)' is not a number")
        }
      }
    }
  }
}
