import ArgumentParser
import Foundation
import FourierLens

/// `flens plugins`: what plugins are installed, with their options, and which libraries
/// failed to load; `flens plugins check NAME`: the finite-difference test of a mask
/// plugin's gradient.
struct PluginsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plugins",
    abstract: "List plugins (masks, attacks, augmentations) and check mask gradients.",
    discussion: """
      Plugins are shared libraries found on the search path: --plugin-path, then \
      FLENS_PLUGIN_PATH (colon-separated), then the directory of flens (its bundled \
      libFL*.so), then ~/.local/lib/fourierlens. In a directory every .so (.dylib on \
      macOS) is a plugin library, except next to flens, where only libFL* files are. \
      Plugins are used as specs name:key=value,... (for example \
      pgd-linf:eps=0.03,alpha=0.0075,steps=10); options are checked against the \
      schema listed here.

      Examples:
        flens plugins
        flens plugins --plugin-path ./my-plugins --json
        flens plugins check radial:bands=8 --shape 3,32,32
      """,
    subcommands: [PluginsListCommand.self, PluginsCheckCommand.self],
    defaultSubcommand: PluginsListCommand.self
  )
}

struct PluginsListCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "list",
    abstract: "List every plugin found, with its kind, library, summary and options, and every library that failed.",
    discussion: """
      --json prints {"plugins": [{"name", "kind", "library", "summary", "parameters": \
      [{"name", "type", "default", "minimum", "maximum", "choices", "help"}]}], \
      "errors": [{"library", "message"}]}. A library that fails to load is listed under \
      errors; it is not an error of this command.

      Example:
        flens plugins --json
      """
  )

  @OptionGroup var plugins: PluginPathOptions

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  struct Listing: Encodable {
    struct Plugin: Encodable {
      var name: String
      var kind: PluginKind
      var library: String
      var summary: String
      var parameters: [PluginParameterInfo]
    }
    var plugins: [Plugin]
    var errors: [PluginLoadError]
    var shadowed: [PluginShadowing]
    var searchPath: [String]

    enum CodingKeys: String, CodingKey { case plugins, errors, shadowed, searchPath = "search_path" }
  }

  func run() throws {
    let registry = plugins.registry()
    let sorted = registry.plugins.sorted {
      ($0.kind.sortOrder, $0.name) < ($1.kind.sortOrder, $1.name)
    }
    if json {
      let listing = Listing(
        plugins: sorted.map { .init(name: $0.name, kind: $0.kind, library: $0.library, summary: $0.summary, parameters: $0.parameters) },
        errors: registry.errors, shadowed: registry.shadowed, searchPath: registry.searchPath.entries.map(\.path))
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(listing), as: UTF8.self))
      return
    }
    var lines: [String] = []
    for kind in PluginKind.allCases {
      let ofKind = sorted.filter { $0.kind == kind }
      guard !ofKind.isEmpty else { continue }
      lines.append("\(kind.plural):")
      for p in ofKind {
        lines.append("  \(p.name) — \(p.summary)")
        lines.append("    from \(p.library)")
        for parameter in p.parameters { lines.append("    \(parameter.helpLine)") }
      }
    }
    if sorted.isEmpty { lines.append("no plugins found") }
    if !registry.errors.isEmpty {
      lines.append("libraries that failed to load:")
      for e in registry.errors { lines.append("  \(e.library): \(e.message)") }
    }
    if !registry.shadowed.isEmpty {
      lines.append("plugins shadowed by one of the same name earlier on the search path (not used):")
      for s in registry.shadowed { lines.append("  \(s.kind.rawValue) \(s.name) in \(s.library), shadowed by \(s.usedFrom)") }
    }
    lines.append("search path: " + registry.searchPath.entries.map(\.path).joined(separator: ":"))
    print(lines.joined(separator: "\n"))
  }
}

struct PluginsCheckCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check",
    abstract: "Check a mask plugin's vector-Jacobian product against finite differences.",
    discussion: """
      Builds the mask for the given image shape in every requested layout and \
      transform, and compares the plugin's VJP with Richardson-extrapolated central \
      differences of L(θ) = Σ g·M(θ) for a random g, along random and coordinate \
      directions at a point near θ₀, at two steps a decade apart (each direction keeps \
      the better one, so Float32 rounding of a saturating mask is not taken for a wrong \
      VJP). Each case reports the condition number of its worst direction (how much the \
      difference amplifies the mask's rounding). Exits 1 when any relative error exceeds \
      the tolerance. Combinations the plugin declines as unsupported (for example the \
      symmetric mask with the DCT) are reported as skipped.

      Example:
        flens plugins check lowpass:shape=butterworth --shape 3,32,32 --json
      """
  )

  @Argument(help: ArgumentHelp("The mask plugin, as a spec name:key=value,...", valueName: "spec"))
  var spec: String

  @OptionGroup var plugins: PluginPathOptions

  @Option(name: .long, help: ArgumentHelp("Image shape C,H,W the mask is built for.", valueName: "c,h,w"))
  var shape: String = "3,32,32"

  @Option(name: .long, help: ArgumentHelp("Mask layout: shared, per-channel, or all.", valueName: "layout"))
  var layout: String = "all"

  @Option(name: .long, help: ArgumentHelp("Transform: dft, dct, or all.", valueName: "transform"))
  var transform: String = "all"

  @Option(name: .long, help: "Largest relative error that passes.")
  var tolerance: Double = 1e-2

  @Option(name: .long, help: "Seed of the random point, gradient and directions.")
  var seed: UInt64 = 0

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  var imageShape: [Int] { shape.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

  var layouts: [MaskLayout] {
    switch layout {
    case "shared": return [.shared]
    case "per-channel": return [.perChannel]
    default: return [.shared, .perChannel]
    }
  }

  var transforms: [TransformKind] {
    switch transform {
    case "dft": return [.dft]
    case "dct": return [.dct]
    default: return [.dft, .dct]
    }
  }

  func validate() throws {
    let s = imageShape
    guard s.count == 3, s.allSatisfy({ $0 > 0 }), shape.split(separator: ",").count == 3 else {
      throw FourierLensError.badOption(name: "--shape", reason: "'\(shape)' is not C,H,W with positive sizes")
    }
    guard ["shared", "per-channel", "all"].contains(layout) else {
      throw FourierLensError.badOption(name: "--layout", reason: "'\(layout)' is not shared, per-channel or all")
    }
    guard ["dft", "dct", "all"].contains(transform) else {
      throw FourierLensError.badOption(name: "--transform", reason: "'\(transform)' is not dft, dct or all")
    }
    guard tolerance > 0, tolerance.isFinite else {
      throw FourierLensError.badOption(name: "--tolerance", reason: "must be a positive number")
    }
  }

  struct Case: Encodable {
    var layout: String
    var transform: TransformKind
    var parameters: Int?
    var maxRelativeError: Double?
    var passed: Bool?
    var skipped: String?
    /// The direction with the largest error, so an author sees which parameter is wrong.
    var worst: MaskVJPCheck.Direction?

    enum CodingKeys: String, CodingKey {
      case layout, transform, parameters, maxRelativeError = "max_relative_error", passed, skipped, worst
    }
  }

  struct Report: Encodable {
    var plugin: String
    var library: String
    var shape: [Int]
    var tolerance: Double
    var cases: [Case]
    var passed: Bool
  }

  func run() throws {
    let registry = plugins.registry()
    let parsed = try PluginSpec.parse(spec, option: "spec")
    let info = try registry.plugin(named: parsed.name, kind: .mask)
    let (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
    var cases: [Case] = []
    for t in transforms {
      for l in layouts {
        let layoutName = l == .shared ? "shared" : "per-channel"
        let mask: PluginMaskParameterization
        do {
          mask = try registry.makeMask(parsed, channels: c, height: h, width: w, layout: l, transform: t)
        } catch let FourierLensError.pluginDeclined(library, reason) {
          let declined = FourierLensError.pluginDeclined(library: library, reason: reason)
          cases.append(Case(layout: layoutName, transform: t, skipped: declined.description))
          continue
        }
        let check = try MaskVJPCheck.run(mask, seed: seed, tolerance: tolerance)
        cases.append(Case(layout: layoutName, transform: t, parameters: mask.parameterCount,
                          maxRelativeError: check.maxRelativeError, passed: check.passed, worst: check.worstDirection))
      }
    }
    let ran = cases.filter { $0.passed != nil }
    guard !ran.isEmpty else {
      throw FourierLensError.plugin(library: info.library, reason: "'\(info.name)' supports none of the requested layouts and transforms: "
        + (cases.first?.skipped ?? ""))
    }
    let passed = ran.allSatisfy { $0.passed == true }
    let report = Report(plugin: parsed.description, library: info.library, shape: imageShape, tolerance: tolerance, cases: cases, passed: passed)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      var lines = ["\(parsed) (\(info.library)), images \(c)x\(h)x\(w), tolerance \(tolerance):"]
      for k in cases {
        let label = "  \(k.transform.rawValue) \(k.layout)".padding(toLength: 20, withPad: " ", startingAt: 0)
        if let skipped = k.skipped {
          lines.append("\(label)skipped: \(skipped)")
        } else {
          lines.append("\(label)\(k.parameters!) parameters, max relative error "
                       + String(format: "%.2e, condition number %.1e", k.maxRelativeError!, k.worst?.conditionNumber ?? 0)
                       + (k.passed! ? "  ok" : "  FAILED" + Self.describe(k.worst)))
        }
      }
      lines.append(passed ? "passed" : "FAILED")
      print(lines.joined(separator: "\n"))
    }
    if !passed {
      let worst = ran.compactMap(\.worst).max { $0.relativeError < $1.relativeError }
      FileHandle.standardError.write(Data(
        ("flens: error: plugin \(info.name) (\(info.library)): VJP differs from finite differences (max relative error "
         + String(format: "%.2e", worst?.relativeError ?? 0) + " > \(tolerance)); " + Self.advice(worst) + "\n").utf8))
      throw ExitCode(1)
    }
  }
}

extension PluginsCheckCommand {
  /// "(worst: coordinate 2, VJP 1.2e-01 vs finite difference -1.2e-01)" for a failed case.
  static func describe(_ worst: MaskVJPCheck.Direction?) -> String {
    guard let w = worst else { return "" }
    let direction = w.direction.hasPrefix("coordinate ") ? "parameter " + w.direction.dropFirst("coordinate ".count) : "a random direction"
    return String(format: " (worst along %@: VJP gives %.4e, finite differences %.4e at step %.1e; Float32 rounding explains %.1e)",
                  direction, w.analytic, w.finiteDifference, w.step, w.roundingError)
  }

  /// What to try after a failure: an ill-conditioned point needs another point or a looser
  /// tolerance; an error beyond rounding points at the VJP's formulas.
  static func advice(_ worst: MaskVJPCheck.Direction?) -> String {
    guard let w = worst else { return "" }
    let direction = w.direction.hasPrefix("coordinate ") ? "parameter " + w.direction.dropFirst("coordinate ".count) : "a random direction"
    if w.withinRounding {
      return String(format: "the point is ill-conditioned (condition number %.1e: Float32 rounding of the mask alone explains "
                    + "errors of about %.1e), so this need not be a wrong gradient: try another point (--seed), a smaller --shape, "
                    + "or check the formulas in double precision; raise --tolerance only if they agree there", w.conditionNumber, w.roundingError)
    }
    return String(format: "the error along %@ is beyond what rounding explains (%.1e), so the VJP is likely wrong: check its sign, "
                  + "factors and which mask entries it touches (--json lists every direction)", direction, w.roundingError)
  }
}

extension PluginKind {
  var plural: String {
    switch self {
    case .mask: return "masks"
    case .attack: return "attacks"
    case .augmentation: return "augmentations"
    }
  }

  var sortOrder: Int { PluginKind.allCases.firstIndex(of: self)! }
}
