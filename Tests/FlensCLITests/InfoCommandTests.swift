import Foundation
import Testing

@Suite struct InfoCommandTests {
  @Test func cifarTestSplitAsJSON() throws {
    let out = try FlensCLI.run(["info", "--data", try FlensCLI.sharedData("cifar10"), "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "stdout is not one JSON object: \(out.stdout)")
    #expect(json["format"] as? String == "cifar10")
    #expect(json["count"] as? Int == 10000)
    let classes = try #require(json["classes"] as? [String])
    #expect(classes.count == 10)
    #expect(classes.first == "airplane" && classes.last == "truck")
    #expect(json["shape"] as? [Int] == [3, 32, 32])
    #expect(out.stderr.isEmpty)
  }

  @Test func grayscaleResizeAndLimitChangeTheReport() throws {
    let data = try FlensCLI.sharedData("cifar10")
    let gray = try FlensCLI.run(["info", "--data", data, "--grayscale", "--json"])
    #expect(gray.exitCode == 0, "\(gray)")
    #expect(gray.json?["shape"] as? [Int] == [1, 32, 32])
    let resized = try FlensCLI.run(["info", "--data", data, "--split", "train", "--size", "16x24", "--limit", "123", "--json"])
    #expect(resized.exitCode == 0, "\(resized)")
    #expect(resized.json?["shape"] as? [Int] == [3, 16, 24])
    #expect(resized.json?["count"] as? Int == 123)
  }

  @Test func textOutputNamesFormatAndShape() throws {
    let out = try FlensCLI.run(["info", "--data", try FlensCLI.sharedData("cifar10")])
    #expect(out.exitCode == 0, "\(out)")
    #expect(out.stdout.contains("cifar10"))
    #expect(out.stdout.contains("3x32x32"))
    #expect(out.stdout.contains("airplane"))
  }

  @Test func npyPairDirectory() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    // images.npy: uint8 [5, 2, 3] (grayscale N×H×W), labels.npy: int64 [5]; written by hand.
    try npyBytes(descr: "|u1", shape: "(5, 2, 3)", body: Data((0 ..< 30).map { UInt8($0) }))
      .write(to: dir.appendingPathComponent("images.npy"))
    var labels = Data()
    for v: Int64 in [0, 1, 2, 1, 0] { withUnsafeBytes(of: v.littleEndian) { labels.append(contentsOf: $0) } }
    try npyBytes(descr: "<i8", shape: "(5,)", body: labels).write(to: dir.appendingPathComponent("labels.npy"))
    let out = try FlensCLI.run(["info", "--data", dir.path, "--json"])
    #expect(out.exitCode == 0, "\(out)")
    #expect(out.json?["format"] as? String == "npy")
    #expect(out.json?["count"] as? Int == 5)
    #expect(out.json?["classes"] as? [String] == ["0", "1", "2"])
    #expect(out.json?["shape"] as? [Int] == [1, 2, 3])
  }

  /// Only formats with splits report one: a plain NumPy pair says none, the same pair in
  /// train/ and test/ subdirectories says which was read, CIFAR-10 says its own.
  @Test func theSplitIsReportedOnlyWhereTheDataHasOne() throws {
    let plain = try StripesData.write(count: 6)
    let both = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: plain); try? FileManager.default.removeItem(at: both) }
    for (split, count) in [("train", 6), ("test", 4)] {
      let sub = try StripesData.write(count: count)
      try FileManager.default.moveItem(at: sub, to: both.appendingPathComponent(split))
    }
    let json = try FlensCLI.run(["info", "--data", plain.path, "--json"])
    #expect(json.exitCode == 0, "\(json)")
    #expect(json.json?.keys.contains("split") == true && json.json?["split"] is NSNull, "\(json)")
    // --split cannot choose anything in a plain pair, so it is not echoed back either.
    let asked = try FlensCLI.run(["info", "--data", plain.path, "--split", "train", "--json"])
    #expect(asked.json?["split"] is NSNull, "\(asked)")
    let text = try FlensCLI.run(["info", "--data", plain.path])
    #expect(text.stdout.contains("split:   none"), "\(text)")
    #expect(!text.stdout.contains("test"))
    for (split, count) in [("train", 6), ("test", 4)] {
      let r = try FlensCLI.run(["info", "--data", both.path, "--split", split, "--size", "4", "--json"])
      #expect(r.json?["split"] as? String == split && r.json?["count"] as? Int == count, "\(r)")
    }
    let cifar = try FlensCLI.run(["info", "--data", try FlensCLI.sharedData("cifar10"), "--json"])
    #expect(cifar.json?["split"] as? String == "test", "\(cifar)")
  }

  @Test func missingPathExitsOneNamingIt() throws {
    let missing = "/nonexistent/flens-\(UUID().uuidString)"
    let out = try FlensCLI.run(["info", "--data", missing, "--json"])
    #expect(out.exitCode == 1, "\(out)")
    #expect(out.stderr.contains(missing))
    #expect(out.stdout.isEmpty)
    #expect(out.stderr.split(separator: "\n").count == 1)
  }

  @Test func badOptionsExitOne() throws {
    let data = try FlensCLI.sharedData("cifar10")
    let limit = try FlensCLI.run(["info", "--data", data, "--limit", "0"])
    #expect(limit.exitCode == 1, "\(limit)")
    #expect(limit.stderr.contains("--limit"))
    let noData = try FlensCLI.run(["info"])
    #expect(noData.exitCode == 1, "\(noData)")
    #expect(noData.stderr.contains("--data"))
  }

  @Test func helpHasAnExample() throws {
    let out = try FlensCLI.run(["info", "--help"])
    #expect(out.exitCode == 0)
    #expect(out.stdout.contains("flens info --data"))
  }

  /// A version-1.0 `.npy` file with the given header fields and raw body.
  private func npyBytes(descr: String, shape: String, body: Data) -> Data {
    var dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + dict.utf8.count + 1) % 64 != 0 { dict += " " }
    dict += "\n"
    var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(dict.utf8.count & 0xFF), UInt8(dict.utf8.count >> 8)])
    out.append(contentsOf: Array(dict.utf8))
    out.append(body)
    return out
  }
}
