import Foundation
import FourierLens
import Testing

/// A learnable two-class .npy dataset (brighter left or right half) in a fresh directory.
enum StripesData {
  static func write(count: Int = 64, channels: Int = 1, size: Int = 8, seed: UInt64 = 1) throws -> URL {
    let dir = try FlensCLI.temporaryDirectory()
    var rng = SeededGenerator(seed: seed)
    var data = [Float](repeating: 0, count: count * channels * size * size)
    var labels = [Int]()
    for i in 0 ..< count {
      labels.append(i % 2)
      for c in 0 ..< channels {
        for y in 0 ..< size {
          for x in 0 ..< size {
            let bright = (x < size / 2) == (i % 2 == 0)
            data[((i * channels + c) * size + y) * size + x] = (bright ? 0.7 : 0.3) + 0.25 * (rng.nextUniform() - 0.5)
          }
        }
      }
    }
    try NPY.write(Tensor(shape: [count, channels, size, size], data: data), to: dir.appendingPathComponent("images.npy").path)
    try NPY.write(ints: labels, shape: [count], to: dir.appendingPathComponent("labels.npy").path)
    try "left\nright\n".write(to: dir.appendingPathComponent("classes.txt"), atomically: true, encoding: .utf8)
    return dir
  }
}

@Suite struct TrainCommandTests {
  @Test func trainsOnCIFARAndTheModelEvaluatesToTheReportedAccuracy() throws {
    let cifar = try FlensCLI.sharedData("cifar10")
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("model").path
    let out = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", cifar, "--grayscale", "--limit", "512", "--test-limit", "300",
                                "--epochs", "2", "--batch", "64", "--threads", "2", "--out", model, "--json"])
    #expect(out.exitCode == 0, "\(out)")
    let json = try #require(out.json, "stdout is not one JSON object: \(out.stdout)")
    #expect(json["epochs_completed"] as? Int == 2)
    #expect(json["steps"] as? Int == 16)
    #expect((json["images_per_s"] as? Double ?? 0) > 0)
    #expect((json["history"] as? [Any])?.count == 2)
    let accuracy = try #require(json["test_accuracy"] as? Double)
    #expect(Set(try FileManager.default.contentsOfDirectory(atPath: model)).isSuperset(of: ["model.json", "weights.pt", "checkpoint"]))

    let info = try FlensCLI.run(["info", "--model", model, "--json"])
    #expect(info.exitCode == 0, "\(info)")
    #expect(info.json?["arch"] as? String == "smallcnn")
    #expect(info.json?["input"] as? [Int] == [1, 32, 32])
    #expect((info.json?["classes"] as? [String])?.first == "airplane")
    #expect((info.json?["mean"] as? [Double])?.count == 1)
    // The training record keeps numbers as numbers: the kept epoch's test accuracy is the one --json reported.
    let record = try #require(info.json?["training"] as? [String: Any], "\(info)")
    #expect(record["epochs"] as? Int == 2)
    #expect(record["batch"] as? Int == 64)
    #expect(record["test_accuracy"] as? Double == accuracy)
    #expect(record["grayscale"] as? Bool == true)
    #expect(record["optimizer"] as? String == "sgd")

    // The kept model is the best epoch's: evaluating it on the same 300 images gives the same number.
    let eval = try FlensCLI.run(["eval", "--model", model, "--data", cifar, "--grayscale", "--limit", "300", "--json"])
    #expect(eval.exitCode == 0, "\(eval)")
    #expect(eval.json?["count"] as? Int == 300)
    #expect(abs((eval.json?["accuracy"] as? Double ?? -1) - accuracy) < 1e-9)
  }

  @Test func resumedRunGivesTheSameModelAsAnUninterruptedOne() throws {
    let data = try StripesData.write()
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let full = dir.appendingPathComponent("full").path, split = dir.appendingPathComponent("split").path
    let common = ["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "3", "--batch", "16", "--lr", "0.05",
                  "--seed", "4", "--threads", "2", "--quiet"]
    let a = try FlensCLI.run(common + ["--out", full])
    #expect(a.exitCode == 0, "\(a)")
    let b1 = try FlensCLI.run(common + ["--out", split, "--max-steps", "5", "--json"])
    #expect(b1.exitCode == 0, "\(b1)")
    #expect(b1.json?["interrupted"] as? Bool == true && b1.json?["steps"] as? Int == 5)
    let b2 = try FlensCLI.run(common + ["--out", split, "--resume", "--json"])
    #expect(b2.exitCode == 0, "\(b2)")
    #expect(b2.json?["interrupted"] as? Bool == false && b2.json?["steps"] as? Int == 12)

    // Same logits from both models on the training images.
    let images = data.appendingPathComponent("images.npy").path
    let la = dir.appendingPathComponent("a.npy").path, lb = dir.appendingPathComponent("b.npy").path
    #expect(try FlensCLI.run(["predict", "--model", full, "--input", images, "--out", la]).exitCode == 0)
    #expect(try FlensCLI.run(["predict", "--model", split, "--input", images, "--out", lb]).exitCode == 0)
    #expect(try NPY.readTensor(la) == NPY.readTensor(lb))
  }

  @Test func userErrorsExitOneWithOneLineNamingTheOption() throws {
    let data = try StripesData.write(count: 8)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = dir.appendingPathComponent("m").path
    let base = ["train", "--data", data.path, "--epochs", "1", "--batch", "4", "--threads", "1", "--quiet", "--out", model]

    let arch = try FlensCLI.run(base + ["--arch", "alexnet"])
    #expect(arch.exitCode == 1 && arch.stderr.contains("--arch") && arch.stderr.contains("alexnet"), "\(arch)")
    #expect(arch.stderr.split(separator: "\n").count == 1)

    let lr = try FlensCLI.run(base + ["--arch", "smallcnn", "--lr", "0"])
    #expect(lr.exitCode == 1 && lr.stderr.contains("--lr"), "\(lr)")

    let mean = try FlensCLI.run(base + ["--arch", "smallcnn", "--mean", "0.5,0.5", "--std", "0.2,0.2"])
    #expect(mean.exitCode == 1 && mean.stderr.contains("--mean"), "\(mean)")

    #expect(try FlensCLI.run(base + ["--arch", "smallcnn"]).exitCode == 0)
    let again = try FlensCLI.run(base + ["--arch", "smallcnn"])
    #expect(again.exitCode == 1 && again.stderr.contains("--resume") && again.stderr.contains(model), "\(again)")
    let other = try FlensCLI.run(base.map { $0 == "1" ? "2" : $0 } + ["--arch", "smallcnn", "--resume"])
    #expect(other.exitCode == 1 && other.stderr.contains("--resume"), "\(other)")

    let missing = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", "/nonexistent/data", "--epochs", "1", "--out", model])
    #expect(missing.exitCode == 1 && missing.stderr.contains("/nonexistent/data"), "\(missing)")
  }

  @Test func augmentationAndAdversarialPluginsTrainAndAreRecorded() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = dir.appendingPathComponent("m").path
    let args = ["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "1", "--batch", "8", "--threads", "2", "--quiet",
                "--augment", "base:scale_min=0.5, translate:fraction=0.1", "--adversarial", "fgsm:eps=0.02", "--out", model]
    let out = try FlensCLI.run(args + ["--max-steps", "2"])
    #expect(out.exitCode == 0, "\(out)")
    let resumed = try FlensCLI.run(args + ["--resume", "--json"])
    #expect(resumed.exitCode == 0, "\(resumed)")
    #expect(resumed.json?["steps"] as? Int == 4)
    let info = try FlensCLI.run(["info", "--model", model, "--json"])
    let training = try #require(info.json?["training"] as? [String: Any], "\(info)")
    #expect(training["augment"] as? String == "base:scale_min=0.5,translate:fraction=0.1")
    #expect(training["adversarial"] as? String == "fgsm:eps=0.02")

    // Another augmentation is another run: --resume refuses it.
    let other = try FlensCLI.run(args.map { $0 == "fgsm:eps=0.02" ? "fgsm:eps=0.05" : $0 } + ["--resume"])
    #expect(other.exitCode == 1 && other.stderr.contains("--resume") && other.stderr.contains("adversarial"), "\(other)")

    let unknown = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "1", "--quiet",
                                    "--augment", "no-such-augmentation", "--out", dir.appendingPathComponent("u").path])
    #expect(unknown.exitCode == 1 && unknown.stderr.contains("no-such-augmentation"), "\(unknown)")
    let badSpec = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "1",
                                    "--adversarial", "pgd-linf:eps", "--out", dir.appendingPathComponent("u").path])
    #expect(badSpec.exitCode == 1 && badSpec.stderr.contains("--adversarial"), "\(badSpec)")
  }

  @Test func helpShowsAnExample() throws {
    let help = try FlensCLI.run(["train", "--help"])
    #expect(help.exitCode == 0)
    #expect(help.stdout.contains("flens train --arch smallcnn"))
  }
}
