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

  /// `flens report DIR --retention R` of a real `learn-mask --retention` directory: the λ
  /// path from the path.csv learn-mask wrote, every λ of it in data/path.csv, the chosen λ
  /// marked, and both retentions in the summary table.
  @Test func reportOfARetentionRunShowsItsLambdaPath() throws {
    let data = try StripesData.write(count: 48)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let masks = dir.appendingPathComponent("masks").path
    let learn = try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--images", "24", "--validation", "16",
                                  "--epochs", "2", "--batch", "8", "--retention", "0.9", "--lambda-start", "0.05",
                                  "--lambda-factor", "4", "--lambda-max", "1", "--threads", "2", "--out", masks])
    #expect(learn.exitCode == 0, "\(learn)")
    let out = dir.appendingPathComponent("report").path
    let r = try FlensCLI.run(["report", masks, "--retention", "0.9", "--out", out, "--json"])
    #expect(r.exitCode == 0, "\(r)")
    let json = try #require(r.json, "not one JSON object: \(r.stdout)")
    #expect((json["sections"] as? [String])?.contains("lambda-path") == true)
    #expect((json["data"] as? [String])?.contains("data/path.csv") == true)
    // Every λ learn-mask tried is in the report's path, sorted by λ; the chosen one says so.
    let tried = try String(contentsOfFile: masks + "/path.csv", encoding: .utf8).split(separator: "\n").dropFirst()
      .map { Float($0.split(separator: ",", omittingEmptySubsequences: false)[3])! }
    let rows = try String(contentsOfFile: out + "/data/path.csv", encoding: .utf8).split(separator: "\n")
      .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    let column = Dictionary(uniqueKeysWithValues: rows[0].enumerated().map { ($1, $0) })
    let lambdas = rows.dropFirst().map { Float($0[column["lambda"]!])! }
    #expect(!tried.isEmpty && lambdas == tried.sorted())
    let chosen = try MaskRunDirectory.read(masks + "/retention-0.9").summary.lambda
    #expect(rows.dropFirst().filter { $0[column["chosen_for"]!] == "0.9" }.map { Float($0[column["lambda"]!])! } == [chosen])
    #expect(rows.dropFirst().allSatisfy { !$0[column["validation_retention"]!].isEmpty && !$0[column["converged"]!].isEmpty })
    let svg = try String(contentsOfFile: out + "/figures/lambda-path-retention.svg", encoding: .utf8)
    #expect(svg.components(separatedBy: "class=\"chosen\"").count - 1 == 1 && svg.contains("R 90.0 %"))
    let page = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
    #expect(page.contains("data-key=\"validation_retention\" data-value=") && page.contains("[0..&lt;24]") && page.contains("[24..&lt;40]"), "the learning and validation images are named")
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
