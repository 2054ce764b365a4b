import FourierLensPluginABI

/// What a plugin is.
public enum PluginKind: String, Codable, Sendable, CaseIterable {
  case mask, attack, augmentation

  init?(abi raw: UInt32) {
    switch raw {
    case FLENS_KIND_MASK.rawValue: self = .mask
    case FLENS_KIND_ATTACK.rawValue: self = .attack
    case FLENS_KIND_AUGMENTATION.rawValue: self = .augmentation
    default: return nil
    }
  }

  /// "a mask", "an attack", "an augmentation".
  var withArticle: String { self == .mask ? "a mask" : "an \(rawValue)" }
}

/// A plugin that loaded and passed validation: what `flens plugins` lists, and the
/// descriptor the adapters call.
///
/// `@unchecked` only for `descriptor`, a pointer: safe to share because it points to the
/// library's static storage (libraries are never unloaded), validated once when loaded,
/// and only ever read by the host (fourierlens_plugin.h: descriptors stay valid for the
/// life of the process; the host never writes them).
public struct PluginInfo: @unchecked Sendable {
  public let name: String
  public let kind: PluginKind
  /// Path of the shared library it came from.
  public let library: String
  public let summary: String
  public let parameters: [PluginParameterInfo]
  /// The validated descriptor (static storage in the library, which is never unloaded).
  let descriptor: UnsafePointer<flens_plugin_descriptor>
  /// Seconds one call of this plugin may take (see `PluginCallContext.invoke`), as the
  /// registry that handed it out was told; nil for no limit.
  public internal(set) var callTimeLimit: Double? = nil
}

/// A library (or search-path entry) that could not be loaded, or a plugin in it that was
/// rejected, with the reason. The message names the file.
/// A plugin not used because one of the same kind and name comes earlier on the search
/// path. Its library loaded (its other plugins are used); only this name is shadowed.
public struct PluginShadowing: Codable, Equatable, Sendable, CustomStringConvertible {
  public var name: String
  public var kind: PluginKind
  /// The library whose plugin is not used.
  public var library: String
  /// The library whose plugin of that name is used.
  public var usedFrom: String

  enum CodingKeys: String, CodingKey { case name, kind, library, usedFrom = "used_from" }

  public var description: String {
    "\(kind.rawValue) plugin '\(name)' in \(library) is shadowed by the one in \(usedFrom), which comes first on the search path"
  }
}

public struct PluginLoadError: Codable, Equatable, Sendable, CustomStringConvertible {
  public var library: String
  public var message: String

  public init(library: String, message: String) {
    self.library = library
    self.message = message
  }

  public var description: String { "\(library): \(message)" }
}
