/// Every plugin found on a search path, and every library that failed, with the factories
/// that turn a spec (`name:key=value,...`) into the core protocols.
///
/// Names are unique per kind (a `lowpass` mask and a `lowpass` augmentation coexist: every
/// place a spec is used says which kind it wants). A name found twice for one kind keeps
/// the first on the search path (like `PATH`); the later one is reported in `shadowed`
/// naming both files (its library did load: it is not in `errors`).
public final class PluginRegistry: Sendable {
  public let searchPath: PluginSearchPath
  /// Valid plugins in search order.
  public let plugins: [PluginInfo]
  /// Libraries and entries that could not be used, with reasons.
  public let errors: [PluginLoadError]
  /// Plugins hidden by one of the same kind and name earlier on the search path.
  public let shadowed: [PluginShadowing]
  /// Seconds one call of a plugin made here may take (model callbacks it makes included)
  /// before flens gives up on it (see `PluginWatchdog`); nil for no limit.
  public let callTimeLimit: Double?

  /// Loads every library on `searchPath` (cached per process). `callTimeLimit` defaults to
  /// FLENS_PLUGIN_TIMEOUT.
  public init(searchPath: PluginSearchPath = .standard(),
              callTimeLimit: Double? = PluginCallContext.environmentTimeLimit) {
    self.searchPath = searchPath
    self.callTimeLimit = callTimeLimit
    let (files, pathErrors) = searchPath.candidates()
    var plugins: [PluginInfo] = []
    var errors = pathErrors
    var shadowed: [PluginShadowing] = []
    for file in files {
      let result = PluginLibraryLoader.load(file)
      errors += result.errors.map { PluginLoadError(library: file, message: $0) }
      for p in result.plugins {
        if let first = plugins.first(where: { $0.name == p.name && $0.kind == p.kind }) {
          shadowed.append(PluginShadowing(name: p.name, kind: p.kind, library: file, usedFrom: first.library))
        } else {
          plugins.append(p)
        }
      }
    }
    self.plugins = plugins
    self.errors = errors
    self.shadowed = shadowed
  }

  /// Convenience: the standard search path with `--plugin-path` values.
  public convenience init(pluginPaths: [String], callTimeLimit: Double? = PluginCallContext.environmentTimeLimit) {
    self.init(searchPath: .standard(pluginPaths: pluginPaths), callTimeLimit: callTimeLimit)
  }

  /// The plugin of `kind` named `name`, with this registry's call time limit. Without a
  /// kind, the name must be unambiguous.
  public func plugin(named name: String, kind: PluginKind? = nil) throws -> PluginInfo {
    let matches = plugins.filter { $0.name == name && (kind == nil || $0.kind == kind) }
    if matches.count == 1 {
      var found = matches[0]
      found.callTimeLimit = callTimeLimit
      return found
    }
    if matches.count > 1 {
      throw FourierLensError.badOption(
        name: name, reason: "'\(name)' names plugins of several kinds (\(matches.map(\.kind.rawValue).joined(separator: ", "))); say which")
    }
    if let kind, let other = plugins.first(where: { $0.name == name }) {
      throw FourierLensError.badOption(name: name, reason: "'\(name)' is \(other.kind.withArticle) plugin (\(other.library)), not \(kind.withArticle)")
    }
    let candidates = plugins.filter { kind == nil || $0.kind == kind }.map(\.name)
    var reason = "no \(kind.map { "\($0.rawValue) " } ?? "")plugin named '\(name)'"
    reason += candidates.isEmpty ? "; none found" : "; available: \(candidates.joined(separator: ", "))"
    if let failed = errors.first {
      reason += " (\(errors.count) plugin librar\(errors.count == 1 ? "y" : "ies") failed to load, e.g. \(failed); run `flens plugins`)"
    }
    throw FourierLensError.badOption(name: name, reason: reason)
  }

  /// A mask parameterization for images of `channels`×`height`×`width` in `transform`'s domain.
  public func makeMask(_ spec: PluginSpec, channels: Int, height: Int, width: Int,
                       layout: MaskLayout = .shared, transform: TransformKind = .dft) throws -> PluginMaskParameterization {
    let info = try plugin(named: spec.name, kind: .mask)
    let values = try PluginParameterSchema.validate(spec, schema: info.parameters)
    return try PluginMaskParameterization(plugin: info, spec: spec, options: PluginOptionValues(values: values),
                                          channels: channels, height: height, width: width, layout: layout, transform: transform)
  }

  public func makeMask(_ spec: String, channels: Int, height: Int, width: Int,
                       layout: MaskLayout = .shared, transform: TransformKind = .dft) throws -> PluginMaskParameterization {
    try makeMask(PluginSpec.parse(spec, option: "--param"), channels: channels, height: height, width: width,
                 layout: layout, transform: transform)
  }

  /// An attack for `spec`.
  public func makeAttack(_ spec: PluginSpec) throws -> PluginAttack {
    let info = try plugin(named: spec.name, kind: .attack)
    let values = try PluginParameterSchema.validate(spec, schema: info.parameters)
    return try PluginAttack(plugin: info, spec: spec, options: PluginOptionValues(values: values))
  }

  public func makeAttack(_ spec: String) throws -> PluginAttack {
    try makeAttack(PluginSpec.parse(spec, option: "--attack"))
  }

  /// An augmentation for `spec`.
  public func makeAugmentation(_ spec: PluginSpec) throws -> PluginAugmentation {
    let info = try plugin(named: spec.name, kind: .augmentation)
    let values = try PluginParameterSchema.validate(spec, schema: info.parameters)
    return try PluginAugmentation(plugin: info, spec: spec, options: PluginOptionValues(values: values))
  }

  public func makeAugmentation(_ spec: String) throws -> PluginAugmentation {
    try makeAugmentation(PluginSpec.parse(spec, option: "--augment"))
  }
}
