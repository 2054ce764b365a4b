import Foundation
import FourierLens
import Testing

/// learn-mask → probe → report through the built binary, and experiment caching.
@Suite(.serialized) struct MaskPipelineCommandTests {
  static func trainedModel(data: URL, in dir: URL) throws -> String {
    let model = dir.appendingPathComponent("model").path
    let r = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "2", "--batch", "16",
                              "--lr", "0.05", "--seed", "1", "--threads", "2", "--quiet", "--out", model])
    #expect(r.exitCode == 0, "\(r)")
    return model
  }

  @Test func learnMaskWritesTheDocumentedDirectoryAndProbesReadIt() throws {
    let data = try StripesData.write(count: 48)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try Self.trainedModel(data: data, in: dir)
    let mask = dir.appendingPathComponent("mask").path
    let learn = try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--epochs", "3", "--batch", "16",
                                  "--seeds", "2", "--threads", "2", "--out", mask, "--json"])
    #expect(learn.exitCode == 0, "\(learn)")
    let summary = try #require(learn.json)
    for key in ["clean_accuracy", "masked_accuracy", "complementary_accuracy", "sparsity", "transform", "param", "model", "epochs_run"] {
      #expect(summary[key] != nil, "summary.json lacks \(key)")
    }
    #expect(summary["transform"] as? String == "dft" && summary["param"] as? String == "free")
    for file in ["mask.npy", "mask_std.npy", "summary.json", "mask.png", "examples.png", "seeds/0/theta.npy",
                 "seeds/0/mask.npy", "seeds/1/summary.json", "seeds/1/history.csv"] {
      #expect(FileManager.default.fileExists(atPath: mask + "/" + file), "missing \(file)")
    }
    // The mask is H×W, unshifted, in [0, 1] (the free mask is clamped), and the mean of the seeds.
    let m = try NPY.readTensor(mask + "/mask.npy")
    #expect(m.shape == [8, 8])
    #expect(m.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    let s0 = try NPY.readTensor(mask + "/seeds/0/mask.npy"), s1 = try NPY.readTensor(mask + "/seeds/1/mask.npy")
    for i in 0..<64 { #expect(abs(m.data[i] - (s0.data[i] + s1.data[i]) / 2) < 1e-6) }
    // --resume on a finished run does no work and changes nothing.
    let before = try Data(contentsOf: URL(fileURLWithPath: mask + "/mask.npy"))
    let again = try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--epochs", "3", "--batch", "16",
                                  "--seeds", "2", "--threads", "2", "--out", mask, "--resume", "--json"])
    #expect(again.exitCode == 0)
    #expect(try Data(contentsOf: URL(fileURLWithPath: mask + "/mask.npy")) == before)

    let probes = dir.appendingPathComponent("probes").path
    let probe = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", mask, "--baseline", mask,
                                  "--probe", "accuracy", "--probe", "bands:radial=4,angular=4", "--probe", "passband:radial=4,angular=4",
                                  "--probe", "attack:fgsm:eps=0.1", "--probe", "corruption:gaussian-noise:sigma=0.05|0.2",
                                  "--threads", "2", "--out", probes, "--json"])
    #expect(probe.exitCode == 0, "\(probe)")
    let accuracy = try #require(probe.json?["accuracy"] as? [String: Any])
    // The probe measures the same clean accuracy as learn-mask did on the same images.
    #expect(abs((accuracy["clean_accuracy"] as? Double ?? -1) - (summary["clean_accuracy"] as? Double ?? -2)) < 1e-6)
    let bands = try #require(probe.json?["bands"] as? [String: Any])
    // Against itself, every band difference is zero (two seeds: an interval exists).
    #expect((bands["radial_difference"] as? [Double])?.allSatisfy { abs($0) < 1e-6 } == true)
    #expect(bands["radial_difference_ci"] != nil)
    for file in ["accuracy.json", "accuracy.csv", "bands.json", "passband.csv", "attack-fgsm.json", "corruption-gaussian-noise.json"] {
      #expect(FileManager.default.fileExists(atPath: probes + "/" + file), "missing \(file)")
    }
  }

  @Test func learnMaskRefusesBadOptionsBeforeWork() throws {
    let data = try StripesData.write(count: 8)
    defer { try? FileManager.default.removeItem(at: data) }
    for args in [["--lambda", "-1"], ["--epochs", "0"], ["--param", "nosuchmask"], ["--seeds", "0"]] {
      let r = try FlensCLI.run(["learn-mask", "--model", "/nonexistent-model", "--data", data.path, "--out", "/tmp/unused"] + args)
      #expect(r.exitCode == 1, "\(args): \(r)")
      #expect(r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
    }
  }

  /// A second run does no work; changing one mask option redoes that mask, its probes and the
  /// report, and keeps the trained model.
  @Test func experimentStepsAreCachedByConfiguration() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    func experiment(lambda: Double) throws -> String {
      let path = dir.appendingPathComponent("exp.yaml").path
      try """
        name: cache-test
        threads: 2
        data: {path: \(data.path)}
        models:
          standard: {arch: smallcnn, epochs: 1, batch: 16, lr: 0.05}
        masks: {epochs: 2, batch: 16, images: 16, lambda: \(lambda)}
        probes: {images: 16, run: [accuracy]}
        """.write(toFile: path, atomically: true, encoding: .utf8)
      return path
    }
    let run = dir.appendingPathComponent("run").path
    let first = try FlensCLI.run(["run", try experiment(lambda: 0.02), "--out", run])
    #expect(first.exitCode == 0, "\(first)")
    #expect(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run + "/report/index.html")
    let weights = try FileManager.default.attributesOfItem(atPath: run + "/models/standard/model.json")[.modificationDate] as? Date

    let second = try FlensCLI.run(["run", try experiment(lambda: 0.02), "--out", run])
    #expect(second.exitCode == 0)
    for step in ["model standard: cached", "mask standard: cached", "probes standard: cached", "report: cached"] {
      #expect(second.stderr.contains(step), "second run: \(step) missing in \(second.stderr)")
    }

    let third = try FlensCLI.run(["run", try experiment(lambda: 0.5), "--out", run])
    #expect(third.exitCode == 0, "\(third)")
    #expect(third.stderr.contains("model standard: cached"))
    #expect(third.stderr.contains("mask standard: learning"))
    #expect(third.stderr.contains("probes standard: accuracy"))
    #expect(!third.stderr.contains("report: cached"))
    #expect(try FileManager.default.attributesOfItem(atPath: run + "/models/standard/model.json")[.modificationDate] as? Date == weights)
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/masks/standard/summary.json"))) as? [String: Any]
    #expect(summary?["lambda"] as? Double == 0.5)
  }

  @Test func experimentFileErrorsNameTheFile() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("bad.yaml").path
    try "data: {path: generated}\nmodels: {}\n".write(toFile: path, atomically: true, encoding: .utf8)
    let r = try FlensCLI.run(["run", path, "--out", dir.appendingPathComponent("run").path])
    #expect(r.exitCode == 1)
    #expect(r.stderr.contains(path))
  }
}
