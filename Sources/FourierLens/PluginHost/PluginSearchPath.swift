import Foundation

/// Where the host looks for plugin libraries, in order (the first plugin of a name wins):
///
/// 1. `--plugin-path DIRS` (each value may itself be a colon-separated list),
/// 2. `FLENS_PLUGIN_PATH` (colon-separated),
/// 3. the directory of the running executable (so the bundled `libFL*.so` built next to
///    `flens` in `.build/debug` are found, and the test binary finds them too),
/// 4. `~/.local/lib/fourierlens`.
///
/// Which files are plugins: an entry naming a file is loaded as a plugin. In a directory
/// from 1, 2 or 4, every `*.so` (Linux) or `*.dylib` (macOS) is a plugin library, and one
/// that fails to load or lacks the entry symbol is reported as an error: you put it
/// there. The executable's directory is a build directory full of other libraries, so
/// there only files named `libFL*.so` / `libFL*.dylib` (the bundled plugins' naming) are
/// loaded. Missing directories from 1 and 2 are errors; missing ones from 3 and 4 are
/// skipped. Files are taken in name order within a directory.
public struct PluginSearchPath: Sendable {
  public enum Origin: String, Sendable {
    case option, environment, executable, user
  }

  public struct Entry: Sendable, Equatable {
    public var path: String
    public var origin: Origin
    public init(path: String, origin: Origin) {
      self.path = path
      self.origin = origin
    }
  }

  public var entries: [Entry]

  public init(entries: [Entry]) { self.entries = entries }

  /// The standard search path. Pass `environment: [:]`, `executableDirectory: nil` and
  /// `userDirectory: nil` to search only `pluginPaths`.
  public static func standard(
    pluginPaths: [String] = [],
    environment: [String: String] = ProcessInfo.processInfo.environment,
    executableDirectory: String? = PluginSearchPath.executableDirectory,
    userDirectory: String? = PluginSearchPath.defaultUserDirectory
  ) -> PluginSearchPath {
    var entries: [Entry] = []
    for value in pluginPaths {
      for part in value.split(separator: ":") where !part.isEmpty { entries.append(Entry(path: String(part), origin: .option)) }
    }
    if let env = environment["FLENS_PLUGIN_PATH"] {
      for part in env.split(separator: ":") where !part.isEmpty { entries.append(Entry(path: String(part), origin: .environment)) }
    }
    if let executableDirectory { entries.append(Entry(path: executableDirectory, origin: .executable)) }
    if let userDirectory { entries.append(Entry(path: userDirectory, origin: .user)) }
    return PluginSearchPath(entries: entries)
  }

  /// `~/.local/lib/fourierlens`.
  public static var defaultUserDirectory: String? {
    let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
    return home.isEmpty ? nil : home + "/.local/lib/fourierlens"
  }

  /// Directory of the running executable (the `flens` binary, or the test runner).
  public static var executableDirectory: String? {
    #if os(Linux)
    let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return exe.deletingLastPathComponent().path
    #else
    return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path
    #endif
  }

  #if os(macOS)
  static let libraryExtension = "dylib"
  #else
  static let libraryExtension = "so"
  #endif

  /// The library files to load, in order, without duplicates (by real path), and the
  /// search-path entries that are errors.
  func candidates() -> (files: [String], errors: [PluginLoadError]) {
    let fm = FileManager.default
    var files: [String] = []
    var seen = Set<String>()
    var errors: [PluginLoadError] = []
    func add(_ path: String) {
      let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
      if seen.insert(real).inserted { files.append(real) }
    }
    for entry in entries {
      var isDirectory: ObjCBool = false
      guard fm.fileExists(atPath: entry.path, isDirectory: &isDirectory) else {
        if entry.origin == .option || entry.origin == .environment {
          let source = entry.origin == .option ? "--plugin-path" : "FLENS_PLUGIN_PATH"
          errors.append(PluginLoadError(library: entry.path, message: "no such file or directory (from \(source))"))
        }
        continue
      }
      guard isDirectory.boolValue else {
        add(entry.path)
        continue
      }
      let names: [String]
      do {
        names = try fm.contentsOfDirectory(atPath: entry.path).sorted()
      } catch {
        errors.append(PluginLoadError(library: entry.path, message: "cannot list the directory: \(error.localizedDescription)"))
        continue
      }
      for name in names where name.hasSuffix("." + PluginSearchPath.libraryExtension) {
        if entry.origin == .executable && !name.hasPrefix("libFL") { continue }
        let path = (entry.path as NSString).appendingPathComponent(name)
        var dir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &dir), !dir.boolValue { add(path) }
      }
    }
    return (files, errors)
  }
}
