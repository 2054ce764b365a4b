import Foundation
import Testing

/// Every error `flens` prints is one line that ends with a newline, including messages that
/// carry text from libtorch or from what the user typed (`\r\n` in an option value).
@Suite struct ErrorLineCommandTests {
  /// stderr of a failed run: exactly one line feed, at the end, and nothing that moves the
  /// cursor (carriage returns, escapes).
  static func expectOneTerminatedLine(_ r: FlensCLI.Output, _ what: String) {
    let bytes = Array(r.stderr.utf8)
    #expect(r.exitCode == 1, "\(what): \(r)")
    #expect(bytes.last == 0x0A, "\(what): stderr does not end with a newline: \(r.stderr.debugDescription)")
    #expect(bytes.filter { $0 == 0x0A }.count == 1, "\(what): not one line: \(r.stderr.debugDescription)")
    #expect(!bytes.contains(0x0D) && !bytes.contains(0x1B), "\(what): control characters: \(r.stderr.debugDescription)")
    #expect(r.stderr.hasPrefix("flens: error: "), "\(what): \(r.stderr.debugDescription)")
  }

  @Test func importOfBadStateDictsEndsWithANewline() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let junk = dir.appendingPathComponent("junk.pt"), linear = dir.appendingPathComponent("linear.pt")
    try Data("not a tensor archive".utf8).write(to: junk)
    // A real torch.save of another network's state dict: keys libtorch reads but smallcnn lacks.
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FlensCLI.python)
    process.arguments = ["-c", "import sys, torch; torch.save(torch.nn.Linear(4, 2).state_dict(), sys.argv[1])", linear.path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(FlensCLI.python) with torch is needed")
    let common = ["--arch", "smallcnn", "--input", "1,8,8", "--mean", "0.5", "--std", "0.25", "--classes", "2"]
    for file in [junk, linear, dir.appendingPathComponent("missing.pt")] {
      let r = try FlensCLI.run(["import", "--state-dict", file.path] + common + ["--out", dir.appendingPathComponent("m").path])
      Self.expectOneTerminatedLine(r, "import \(file.lastPathComponent)")
      #expect(r.stderr.contains(file.path), "\(r.stderr)")
    }
  }

  @Test func messagesCarryingLineBreaksStayOneLine() throws {
    let data = try StripesData.write(count: 4)
    defer { try? FileManager.default.removeItem(at: data) }
    let cases: [(String, [String])] = [
      ("a CRLF in a probe option", ["probe", "--model", "/nonexistent", "--data", data.path, "--probe", "heatmap:eps=1\r\nx", "--out", "/tmp/unused"]),
      ("a CR in a path", ["info", "--data", "/nonexistent/a\rb"]),
      ("an escape in a path", ["info", "--data", "/nonexistent/\u{1B}[2Kx\ny"]),
      ("an argument-parser usage error", ["train", "--no-such-option"]),
    ]
    for (what, arguments) in cases {
      Self.expectOneTerminatedLine(try FlensCLI.run(arguments), what)
    }
  }
}
