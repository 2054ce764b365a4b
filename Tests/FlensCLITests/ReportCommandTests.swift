import Foundation
import Testing
@testable import FourierLens

@Suite struct ReportCommandTests {
  /// Writes a `flens learn-mask` directory with an 8×8 DFT mask whose value depends on the radius.
  static func writeMask(_ dir: String, clean: Float, profile: (Double) -> Double) throws {
    var mask = [Float](repeating: 0, count: 64)
    for r in 0..<8 {
      for c in 0..<8 {
        let fy = Double(r < 4 ? r : r - 8), fx = Double(c < 4 ? c : c - 8)
        mask[r * 8 + c] = Float(profile((fx * fx + fy * fy).squareRoot()))
      }
    }
    let history = (1...3).map { MaskEpochRecord(epoch: $0, learningRate: 0.01, dataTerm: 1.1, distortion: 0.1 / Float($0),
                                                sparsity: 1 - 0.2 * Float($0), loss: 1.2, maskedAccuracy: clean, imagesPerSecond: 100) }
    let result = MaskLearningResult(config: MaskLearningConfig(), parameterization: "free", maskShape: [8, 8], maskCount: 1,
                                    masks: mask, theta: mask, imageCount: 50, cleanAccuracy: clean, maskedAccuracy: clean - 0.01,
                                    complementaryAccuracy: 0.1, sparsity: mask.reduce(0, +) / 64, epochsRun: 3,
                                    masksMeetingTarget: 1, history: history)
    try MaskRunDirectory.write(result, summary: MaskSummary(result: result, param: "free", model: "m", data: "d"), to: dir)
  }

  static func experiment(_ root: URL) throws -> String {
    let run = root.appendingPathComponent("run").path
    try writeMask(run + "/masks/standard", clean: 0.9) { $0 > 2 ? 1 : 0.1 }
    try writeMask(run + "/masks/adversarial", clean: 0.7) { exp(-$0 * $0 / 4) }
    return run
  }

  @Test func reportWritesThePageAndPrintsOneJSONObject() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try Self.experiment(dir)
    let out = dir.appendingPathComponent("report").path
    let result = try FlensCLI.run(["report", run, "--baseline", "adversarial", "--radial", "4", "--angular", "4",
                                   "--out", out, "--json"])
    #expect(result.exitCode == 0, "\(result)")
    let json = try #require(result.json, "not one JSON object: \(result.stdout)")
    #expect(json["index"] as? String == out + "/index.html")
    #expect(json["models"] as? [String] == ["adversarial", "standard"])
    #expect(json["baseline"] as? String == "adversarial")
    let figures = try #require(json["figures"] as? [String])
    #expect(figures.contains("figures/mask-standard.svg") && figures.contains("figures/mask-diff-standard.png"))
    for file in figures + (json["data"] as? [String] ?? []) {
      #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
    }
    let absent = try #require(json["absent"] as? [String])
    #expect(absent.contains { $0.contains("Fourier heat maps") })
    let page = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
    #expect(page.contains("<section id=\"bands\">") && page.contains("4 radial bands, 4 angular sectors"))
    let bands = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/data/bands.json"))) as? [String: Any])
    #expect(bands["radial_bands"] as? Int == 4)
  }

  @Test func plainOutputSaysWhereTheReportIs() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try Self.experiment(dir)
    let out = dir.appendingPathComponent("r").path
    let result = try FlensCLI.run(["report", run + "/masks/standard", run + "/masks/adversarial", "--out", out])
    #expect(result.exitCode == 0, "\(result)")
    #expect(result.stdout.contains(out + "/index.html") && result.stdout.contains("baseline standard"))
    #expect(result.stdout.contains("not shown:"))
  }

  @Test func helpHasAnExample() throws {
    let result = try FlensCLI.run(["report", "--help"])
    #expect(result.exitCode == 0)
    #expect(result.stdout.contains("Example:") && result.stdout.contains("flens report runs/"))
  }

  @Test func badInputExitsOneNamingThePathOrOption() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try Self.experiment(dir)
    let out = dir.appendingPathComponent("out").path
    let missing = dir.appendingPathComponent("missing").path
    let a = try FlensCLI.run(["report", missing, "--out", out])
    #expect(a.exitCode == 1 && a.stderr.contains(missing) && a.stdout.isEmpty, "\(a)")
    let neither = dir.appendingPathComponent("neither").path
    try FileManager.default.createDirectory(atPath: neither, withIntermediateDirectories: true)
    let b = try FlensCLI.run(["report", neither, "--out", out, "--json"])
    #expect(b.exitCode == 1 && b.stderr.contains(neither) && b.stdout.isEmpty, "\(b)")
    let c = try FlensCLI.run(["report", run, "--baseline", "robust", "--out", out])
    #expect(c.exitCode == 1 && c.stderr.contains("--baseline") && c.stderr.contains("robust"), "\(c)")
    let d = try FlensCLI.run(["report", run, "--radial", "0", "--out", out])
    #expect(d.exitCode == 1 && d.stderr.contains("--radial"), "\(d)")
    let e = try FlensCLI.run(["report", "--out", out])
    #expect(e.exitCode == 1 && e.stderr.contains("RUN_DIR"), "\(e)")
    let summary = run + "/masks/standard/summary.json"
    try Data("[]".utf8).write(to: URL(fileURLWithPath: summary))
    let f = try FlensCLI.run(["report", run, "--out", out])
    #expect(f.exitCode == 1 && f.stderr.contains(summary), "\(f)")
    #expect(!FileManager.default.fileExists(atPath: out), "a failed report wrote \(out)")
  }
}
