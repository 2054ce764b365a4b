import Foundation
import Testing

/// Runs the built `flens` executable for end-to-end tests and collects what it printed.
///
/// The binary is looked up next to the test bundle first (the same build configuration as
/// the tests), then in `<package>/.build/debug/flens`; `FLENS_BINARY` overrides both.
/// When it is missing the helper throws, so a test fails with a message saying how to
/// build it instead of passing vacuously.
enum FlensCLI {
  /// What one run produced.
  struct Output: CustomStringConvertible {
    var exitCode: Int32
    var stdout: String
    var stderr: String
    /// True when the process was killed for exceeding the run's time limit.
    var timedOut: Bool

    /// stdout parsed as one JSON object (nil when it is not exactly one).
    var json: [String: Any]? {
      guard let data = stdout.data(using: .utf8) else { return nil }
      return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    var description: String { "exit \(exitCode)\(timedOut ? " (timed out)" : "")\nstdout: \(stdout)\nstderr: \(stderr)" }
  }

  struct MissingBinary: Error, CustomStringConvertible {
    var searched: [String]
    var description: String {
      "the flens executable is not built (looked in \(searched.joined(separator: ", "))); run `swift build --product flens` or `swift build --build-tests` first"
    }
  }

  struct MissingSharedData: Error, CustomStringConvertible {
    var path: String
    var description: String { "shared test data not found at \(path); set FLENS_SHARED_DATA to the directory holding cifar10/" }
  }

  /// The package root (three levels above this file: Tests/FlensCLITests/<file>).
  static let packageRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  /// The project's Python with torch and NumPy (scripts/install-deps.sh makes `.venv/`);
  /// FLENS_PYTHON names another.
  static let python: String = ProcessInfo.processInfo.environment["FLENS_PYTHON"]
    ?? packageRoot.appendingPathComponent(".venv/bin/python").path

  /// The `flens` executable to test.
  static func binary() throws -> URL {
    var candidates = [String]()
    if let override = ProcessInfo.processInfo.environment["FLENS_BINARY"], !override.isEmpty {
      candidates.append(override)
    } else {
      // The test executable (…/debug/FourierLensPackageTests.xctest) lives in the build
      // products directory, next to `flens`.
      if let exe = Bundle.main.executableURL {
        var dir = exe.deletingLastPathComponent()
        for _ in 0 ..< 3 {
          candidates.append(dir.appendingPathComponent("flens").path)
          dir = dir.deletingLastPathComponent()
        }
      }
      candidates.append(packageRoot.appendingPathComponent(".build/debug/flens").path)
    }
    for path in candidates {
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
         FileManager.default.isExecutableFile(atPath: path) {
        return URL(fileURLWithPath: path)
      }
    }
    throw MissingBinary(searched: candidates)
  }

  /// Runs `flens arguments…` and waits for it (killing it after `timeout` seconds).
  /// stdout and stderr go to temporary files, so large outputs cannot block the child.
  @discardableResult
  static func run(_ arguments: [String], environment: [String: String] = [:], currentDirectory: URL? = nil,
                  timeout: TimeInterval = 300) throws -> Output {
    let process = Process()
    process.executableURL = try binary()
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (k, v) in environment { env[k] = v }
    process.environment = env
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("flens-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let outURL = scratch.appendingPathComponent("stdout"), errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let outHandle = try FileHandle(forWritingTo: outURL), errHandle = try FileHandle(forWritingTo: errURL)
    process.standardOutput = outHandle
    process.standardError = errHandle
    process.standardInput = FileHandle.nullDevice
    let finished = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in finished.signal() }
    try process.run()
    var timedOut = false
    if finished.wait(timeout: .now() + timeout) == .timedOut {
      timedOut = true
      process.terminate()
      if finished.wait(timeout: .now() + 5) == .timedOut {
        kill(process.processIdentifier, SIGKILL)
        finished.wait()
      }
    }
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let stdout = String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self)
    let stderr = String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self)
    return Output(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr, timedOut: timedOut)
  }

  /// The shared data directory: `FLENS_SHARED_DATA`, else `../shared/data` next to the
  /// package. Throws when it is missing, so tests that need it fail rather than pass.
  static func sharedData(_ subdirectory: String? = nil) throws -> String {
    let base = ProcessInfo.processInfo.environment["FLENS_SHARED_DATA"].flatMap { $0.isEmpty ? nil : $0 }
      ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data").path
    let path = subdirectory.map { (base as NSString).appendingPathComponent($0) } ?? base
    guard FileManager.default.fileExists(atPath: path) else { throw MissingSharedData(path: path) }
    return path
  }

  /// A fresh empty directory for one test's files.
  static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("flens-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }
}
