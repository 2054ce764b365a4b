import Foundation
import Testing
@testable import FourierLens

/// Shared fixtures: the bundled plugin libraries (built by `swift build --build-tests`
/// next to the test binary), temporary directories, and building C plugins with cc.
enum TestSupport {
  /// The directory of the test binary, where SwiftPM puts libFLMasks.so and friends.
  static var buildDirectory: String { PluginSearchPath.executableDirectory! }

  /// A registry of only the bundled plugins (no environment, no home directory).
  static let bundled: PluginRegistry = PluginRegistry(
    searchPath: PluginSearchPath(entries: [.init(path: buildDirectory, origin: .executable)]))

  /// A registry over exactly `paths`.
  static func registry(_ paths: [String]) -> PluginRegistry {
    PluginRegistry(searchPath: .standard(pluginPaths: paths, environment: [:], executableDirectory: nil, userDirectory: nil))
  }

  static func temporaryDirectory(_ label: String) throws -> String {
    let dir = FileManager.default.temporaryDirectory
      .appendingPathComponent("flens-plugin-tests-\(label)-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// The package root (three levels above this file: Tests/PluginTests/TestSupport.swift).
  static var packageRoot: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
  }

  static var abiInclude: String { packageRoot + "/Sources/FourierLensPluginABI/include" }

  /// The C compiler: $CC, else `cc`, else the Swift toolchain's `clang` (CI images with
  /// Swift need not have gcc).
  static let cCompiler: String = {
    if let cc = ProcessInfo.processInfo.environment["CC"], !cc.isEmpty { return cc }
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["cc", "clang"] {
      for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") {
        return "\(dir)/\(name)"
      }
    }
    return "cc"
  }()

  /// Compiles C `source` into `dir/name` as a shared library with `cCompiler`.
  @discardableResult
  static func buildC(_ source: String, named name: String, in dir: String, defines: [String] = []) throws -> String {
    let src = dir + "/" + name + ".c"
    try source.write(toFile: src, atomically: true, encoding: .utf8)
    let out = dir + "/" + name
    let flags = [cCompiler, "-shared", "-fPIC", "-O1", "-I", abiInclude] + defines.map { "-D" + $0 }
    let (status, output) = try run("/usr/bin/env", flags + ["-o", out, src, "-lm"])
    guard status == 0 else { throw FourierLensError.message("cc failed for \(name): \(output)") }
    return out
  }

  /// Runs a program, returning its exit status and combined output.
  static func run(_ executable: String, _ arguments: [String], currentDirectory: String? = nil) throws -> (Int32, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let currentDirectory { p.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
  }
}
