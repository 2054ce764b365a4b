import Foundation
import Testing
@testable import FourierLens

/// Helpers shared by the codec and dataset tests: scratch directories, the shared data
/// directory, and running the project's Python (NumPy) as an independent reference.
enum CodecTestSupport {
  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// A fresh empty directory for one test's files.
  static func scratchDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("fl-data-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }

  /// `FLENS_SHARED_DATA` or `../shared/data` next to the package; throws when missing so
  /// that tests needing it fail instead of passing.
  static func sharedData(_ subdirectory: String) throws -> String {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let base = ProcessInfo.processInfo.environment["FLENS_SHARED_DATA"].flatMap { $0.isEmpty ? nil : $0 }
      ?? root.deletingLastPathComponent().appendingPathComponent("shared/data").path
    let path = (base as NSString).appendingPathComponent(subdirectory)
    guard FileManager.default.fileExists(atPath: path) else {
      throw Failure(description: "shared data missing at \(path); set FLENS_SHARED_DATA")
    }
    return path
  }

  /// The project's Python with NumPy (scripts/install-deps.sh makes `.venv/`); FLENS_PYTHON
  /// names another.
  static let pythonPath: String = ProcessInfo.processInfo.environment["FLENS_PYTHON"]
    ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".venv/bin/python").path

  /// Runs a Python script with the project's Python and returns its stdout; throws with its
  /// stderr when it fails.
  @discardableResult
  static func python(_ script: String, arguments: [String] = []) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: pythonPath)
    process.arguments = ["-c", script] + arguments
    // stdout and stderr go to files, so a chatty script can never block on a full pipe.
    let scratch = try scratchDirectory()
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    _ = FileManager.default.createFile(atPath: scratch + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: scratch + "/err", contents: nil)
    let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/out"))
    let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: scratch + "/err"))
    process.standardOutput = outHandle
    process.standardError = errHandle
    try process.run()
    process.waitUntilExit()
    try outHandle.close()
    try errHandle.close()
    let outData = try Data(contentsOf: URL(fileURLWithPath: scratch + "/out"))
    let errData = try Data(contentsOf: URL(fileURLWithPath: scratch + "/err"))
    guard process.terminationStatus == 0 else {
      throw Failure(description: "python3 failed (\(process.terminationStatus)): \(String(decoding: errData, as: UTF8.self))")
    }
    return String(decoding: outData, as: UTF8.self)
  }

  /// Expects `body` to throw `FourierLensError.badFile` whose path is `path`.
  static func expectBadFile(_ path: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
      try body()
      Issue.record("expected a badFile error for \(path), but nothing was thrown", sourceLocation: sourceLocation)
    } catch let FourierLensError.badFile(p, _) {
      #expect(p == path, "the error names \(p), expected \(path)", sourceLocation: sourceLocation)
    } catch {
      Issue.record("expected badFile for \(path), got \(error)", sourceLocation: sourceLocation)
    }
  }
}

@Suite struct CodecTests {
  @Test func formatIsRecognisedByContentNotName() throws {
    let dir = try CodecTestSupport.scratchDirectory()
    let png = try PNGCodec.encode(pixels: [0, 255, 10, 20], width: 2, height: 2, channels: 1)
    let jpeg = try JPEGCodec.encode(image: Tensor(repeating: 0.5, shape: [3, 8, 8]))
    #expect(ImageFile.format(of: png) == .png)
    #expect(ImageFile.format(of: jpeg) == .jpeg)
    #expect(ImageFile.format(of: Data("GIF89a".utf8)) == nil)
    // A PNG named .jpg and a JPEG named .png still decode.
    try png.write(to: URL(fileURLWithPath: dir + "/really-png.jpg"))
    try jpeg.write(to: URL(fileURLWithPath: dir + "/really-jpeg.png"))
    #expect(try ImageFile.read(dir + "/really-png.jpg").data == [0, 1, Float(10) / 255, Float(20) / 255])
    #expect(try ImageFile.read(dir + "/really-jpeg.png").shape == [3, 8, 8])
    try Data("GIF89a......".utf8).write(to: URL(fileURLWithPath: dir + "/x.gif"))
    CodecTestSupport.expectBadFile(dir + "/x.gif") { _ = try ImageFile.read(dir + "/x.gif") }
    #expect(ImageFile.hasImageExtension("a/B.JPEG") && ImageFile.hasImageExtension("x.png") && !ImageFile.hasImageExtension("x.gif"))
  }
}
