import Foundation
import FourierLens
import Testing

/// What `learn-mask` and `probe` say about the images behind their numbers and about
/// convergence, through the built binary.
@Suite(.serialized) struct HeldOutImagesCommandTests {
  /// A mask learned on images 8..<32 of 64 stripes, validated on the next 16, capped at 3 epochs.
  static func learnShortMask() throws -> (data: URL, dir: URL, model: String, mask: String, result: FlensCLI.Output) {
    let data = try StripesData.write(count: 64)
    let dir = try FlensCLI.temporaryDirectory()
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let mask = dir.appendingPathComponent("mask").path
    let r = try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--offset", "8", "--limit", "24",
                              "--validation", "16", "--epochs", "3", "--batch", "8", "--threads", "2", "--out", mask])
    return (data, dir, model, mask, r)
  }

  @Test func summaryRecordsBothRetentionsTheirImagesTheKeptEpochAndConvergence() throws {
    let (data, dir, _, mask, r) = try Self.learnShortMask()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    #expect(r.exitCode == 0, "\(r)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: mask + "/summary.json")))
    let s = try #require(json as? [String: Any])
    let learning = try #require(s["learning_images"] as? [String: Any])
    let validation = try #require(s["validation_images"] as? [String: Any])
    #expect(learning["offset"] as? Int == 8 && learning["count"] as? Int == 24 && learning["split"] is NSNull)
    #expect(validation["offset"] as? Int == 32 && validation["count"] as? Int == 16)
    let held = try #require(s["validation_retention"] as? Double)
    let clean = try #require(s["validation_clean_accuracy"] as? Double)
    let masked = try #require(s["validation_masked_accuracy"] as? Double)
    #expect(abs(held - (clean > 0 ? masked / clean : 1)) < 1e-5)
    #expect(s["learning_retention"] is Double)
    // Three epochs cannot converge: the run says so, on the terminal and in the summary.
    #expect(s["converged"] as? Bool == false)
    #expect(r.stderr.contains("did not converge within --epochs 3"), "\(r.stderr)")
    #expect(r.stdout.contains("NOT CONVERGED"))
    // The kept epoch is recorded and explained, and history.csv marks it.
    let kept = try #require(s["kept_epoch"] as? Int)
    #expect((1...3).contains(kept))
    #expect(r.stderr.contains("kept epoch \(kept) of 3"), "\(r.stderr)")
    let history = try String(contentsOfFile: mask + "/history.csv", encoding: .utf8).split(separator: "\n")
    #expect(history[0].hasSuffix(",kept"))
    #expect(history.dropFirst().filter { $0.hasSuffix(",1") }.count == 1)
  }

  /// Without --offset, `probe --mask` measures on the images after the mask's learning and
  /// validation images (here 48..<64), says so, and records them in every probe's JSON.
  @Test func probeDefaultsToImagesTheMaskNeverSaw() throws {
    let (data, dir, model, mask, learned) = try Self.learnShortMask()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    #expect(learned.exitCode == 0, "\(learned)")
    let out = dir.appendingPathComponent("probes").path
    let r = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", mask, "--probe", "accuracy",
                              "--threads", "2", "--out", out])
    #expect(r.exitCode == 0, "\(r)")
    #expect(r.stderr.contains("measured on all[48..<64]"), "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/accuracy.json")))
    let range = try #require((json as? [String: Any])?["image_range"] as? [String: Any])
    #expect(range["offset"] as? Int == 48 && range["count"] as? Int == 16)

    // An explicit --offset that overlaps the learning images is used, with a warning.
    let overlapping = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", mask, "--probe", "accuracy",
                                        "--offset", "0", "--limit", "16", "--threads", "2", "--out", out + "2"])
    #expect(overlapping.exitCode == 0, "\(overlapping)")
    #expect(overlapping.stderr.contains("overlap the mask's learning or validation images"), "\(overlapping.stderr)")
  }

  @Test func anOffsetPastTheDataIsOneLineNamingIt() throws {
    let data = try StripesData.write(count: 16)
    defer { try? FileManager.default.removeItem(at: data) }
    let r = try FlensCLI.run(["info", "--data", data.path, "--offset", "16"])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains("--offset") && r.stderr.contains("16 images"), "\(r.stderr)")
  }
}
