import Foundation
import FourierLens

/// Runs a Python script with the project's torch (`FlensCLI.python`); a failure throws with
/// the script's standard error, so tests that need PyTorch fail loudly without it.
enum PythonScript {
  static func run(_ script: String, in directory: URL, arguments: [String]) throws {
    let path = directory.appendingPathComponent("script-\(UUID().uuidString).py").path
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FlensCLI.python)
    process.arguments = [path] + arguments
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FourierLensError.message("\(FlensCLI.python) with torch and numpy is needed: \(String(decoding: stderr, as: UTF8.self).suffix(1500))")
    }
  }
}
