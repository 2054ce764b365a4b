import Foundation
import FourierLens
import Testing

/// `flens attack` end to end: a small model trained with `flens train`, attacked with the
/// bundled PGD plugin; the files it writes are read back and checked against the budget.
@Suite("flens attack")
struct PluginsAttackCommandTests {
  @Test func writesCleanAndAdversarialBatchesWithinTheBudget() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try EvalCommandTests.trainedModel(in: dir, data: data)
    let out = dir.appendingPathComponent("attack").path
    let run = try FlensCLI.run(["attack", "--model", model, "--data", data.path, "--attack", "pgd-linf:eps=0.3,steps=10",
                                "--limit", "24", "--batch", "10", "--seed", "5", "--threads", "2", "--out", out, "--json"])
    #expect(run.exitCode == 0, "\(run)")
    let summary = try #require(run.json, "\(run)")
    let clean = try NPY.readTensor(out + "/clean.npy"), adversarial = try NPY.readTensor(out + "/adversarial.npy")
    let labels = try NPY.read(out + "/labels.npy").ints()
    #expect(clean.shape == [24, 1, 8, 8] && adversarial.shape == [24, 1, 8, 8])
    #expect(labels == (0 ..< 24).map { $0 % 2 })
    let original = try NPY.readTensor(data.appendingPathComponent("images.npy").path)
    #expect(clean.data == Array(original.data[0 ..< 24 * 64]))
    let deltas = zip(adversarial.data, clean.data).map { abs($0 - $1) }
    #expect(deltas.max()! <= 0.3 + 1e-6)
    #expect(adversarial.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect(summary["count"] as? Int == 24)
    #expect(summary.keys.contains("split") && summary["split"] is NSNull, "a plain NumPy pair has no split: \(summary)")
    #expect(summary["attack"] as? String == "pgd-linf:eps=0.3,steps=10")
    #expect((summary["library"] as? String)?.hasSuffix("libFLAttacks.so") == true)
    let cleanAccuracy = try #require(summary["clean_accuracy"] as? Double)
    let adversarialAccuracy = try #require(summary["adversarial_accuracy"] as? Double)
    #expect(cleanAccuracy > 0.9)
    #expect(adversarialAccuracy < cleanAccuracy - 0.5, "\(summary)")
    let linf = try #require(summary["linf"] as? [String: Double])
    #expect(abs(linf["max"]! - Double(deltas.max()!)) < 1e-6)
    // summary.json holds the same summary.
    let file = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any]
    #expect(file?["adversarial_accuracy"] as? Double == adversarialAccuracy)
    // The same seed gives the same bytes.
    let again = dir.appendingPathComponent("again").path
    let rerun = try FlensCLI.run(["attack", "--model", model, "--data", data.path, "--attack", "pgd-linf:eps=0.3,steps=10",
                                  "--limit", "24", "--batch", "10", "--seed", "5", "--threads", "2", "--out", again])
    #expect(rerun.exitCode == 0 && rerun.stdout.contains("adversarial"), "\(rerun)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: again + "/adversarial.npy")) == Data(contentsOf: URL(fileURLWithPath: out + "/adversarial.npy")))
  }

  @Test func badSpecsAreOneLineErrorsAndWriteNothing() throws {
    let data = try StripesData.write(count: 8)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let out = dir.appendingPathComponent("out").path
    for (spec, expected) in [("nope", "no attack plugin named 'nope'"), ("pgd-linf:eps=5", "pgd-linf:eps"),
                             ("free", "is a mask plugin"), ("Bad Spec", "--attack")] {
      let run = try FlensCLI.run(["attack", "--model", dir.appendingPathComponent("model").path, "--data", data.path,
                                  "--attack", spec, "--out", out])
      #expect(run.exitCode == 1, "\(spec): \(run)")
      #expect(run.stderr.contains(expected) && run.stderr.split(separator: "\n").count == 1, "\(spec): \(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
    let help = try FlensCLI.run(["attack", "--help"])
    #expect(help.exitCode == 0 && help.stdout.contains("Example"))
  }
}
