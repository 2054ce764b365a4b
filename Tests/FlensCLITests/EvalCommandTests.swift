import Foundation
import FourierLens
import Testing

@Suite struct EvalCommandTests {
  /// A model trained for one epoch on the stripes data (1×8×8, two classes).
  static func trainedModel(in dir: URL, data: URL) throws -> String {
    let model = dir.appendingPathComponent("model").path
    let out = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "2", "--batch", "16", "--lr", "0.05",
                                "--threads", "2", "--quiet", "--out", model])
    guard out.exitCode == 0 else { throw FourierLensError.message("training failed: \(out)") }
    return model
  }

  @Test func accuracyMatchesTheArgmaxOfPredictedLogits() throws {
    let data = try StripesData.write(count: 48)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try Self.trainedModel(in: dir, data: data)
    let eval = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--json", "--threads", "2"])
    #expect(eval.exitCode == 0, "\(eval)")
    #expect(eval.json?["count"] as? Int == 48)
    // A plain images.npy/labels.npy directory has no split: null, not the default "test".
    #expect(eval.json?.keys.contains("split") == true && eval.json?["split"] is NSNull, "\(eval)")
    let accuracy = try #require(eval.json?["accuracy"] as? Double)

    let logitsPath = dir.appendingPathComponent("logits.npy").path
    let predict = try FlensCLI.run(["predict", "--model", model, "--input", data.appendingPathComponent("images.npy").path, "--out", logitsPath])
    #expect(predict.exitCode == 0, "\(predict)")
    let logits = try NPY.readTensor(logitsPath)
    #expect(logits.shape == [48, 2])
    let labels = try NPY.read(data.appendingPathComponent("labels.npy").path).ints()
    let correct = (0 ..< 48).filter { i in (logits.data[2 * i + 1] > logits.data[2 * i] ? 1 : 0) == labels[i] }.count
    #expect(abs(accuracy - Double(correct) / 48) < 1e-12)
    #expect(accuracy > 0.9, "two epochs on an easy problem gave \(accuracy)")

    let text = try FlensCLI.run(["eval", "--model", model, "--data", data.path])
    #expect(text.exitCode == 0 && text.stdout.contains("accuracy") && text.stdout.contains("(no split, images 0..<48)"), "\(text)")
  }

  /// Every output names the images it read: eval's and attack's `image_range`, and the
  /// model's training record (`train_range`, `test_range`); each command's `--split` help
  /// says its own default.
  @Test func outputsNameTheImagesTheyReadAndHelpSaysTheDefaultSplit() throws {
    let data = try StripesData.write(count: 48)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try Self.trainedModel(in: dir, data: data)
    let record = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: model).appendingPathComponent("model.json"))) as? [String: Any])
    let training = try #require(record["training"] as? [String: Any])
    for key in ["train_range", "test_range"] {
      let range = try #require(training[key] as? [String: Any], "\(key) in \(training)")
      #expect(range["split"] is NSNull && range["offset"] as? Int == 0 && range["count"] as? Int == 48, "\(key): \(range)")
    }

    let eval = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--offset", "8", "--limit", "20", "--json"])
    let range = try #require(eval.json?["image_range"] as? [String: Any], "\(eval)")
    #expect(range["split"] is NSNull && range["offset"] as? Int == 8 && range["count"] as? Int == 20, "\(range)")
    #expect(eval.json?["count"] as? Int == 20)

    let out = dir.appendingPathComponent("attack").path
    let attack = try FlensCLI.run(["attack", "--model", model, "--data", data.path, "--offset", "40", "--attack", "fgsm:eps=0",
                                   "--out", out])
    #expect(attack.exitCode == 0, "\(attack)")
    let summary = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent("summary.json"))) as? [String: Any])
    let attacked = try #require(summary["image_range"] as? [String: Any], "\(summary)")
    #expect(attacked["offset"] as? Int == 40 && attacked["count"] as? Int == 8, "\(attacked)")

    for (command, split) in [("train", "train"), ("eval", "test"), ("attack", "test"), ("learn-mask", "test"), ("probe", "test"),
                             ("info", "test")] {
      let help = try FlensCLI.run([command, "--help"])
      let line = help.stdout.components(separatedBy: "--split <split>").last ?? ""
      #expect(line.contains("(default: \(split)"), "\(command) --help: \(line.prefix(200))")
    }
  }

  @Test func attackGivesRobustAccuracy() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try Self.trainedModel(in: dir, data: data)
    let clean = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--json"])
    let accuracy = try #require(clean.json?["accuracy"] as? Double, "\(clean)")
    #expect(clean.json?["robust_accuracy"] == nil)

    // A zero budget changes nothing: robust accuracy is the clean accuracy.
    let none = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--attack", "fgsm:eps=0", "--json"])
    #expect(none.exitCode == 0, "\(none)")
    #expect(none.json?["robust_accuracy"] as? Double == accuracy)
    #expect(none.json?["attack"] as? String == "fgsm:eps=0")

    // A budget as large as the contrast between the halves breaks the model.
    let strong = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--attack", "pgd-linf:eps=0.3,steps=10", "--json"])
    #expect(strong.exitCode == 0, "\(strong)")
    let robust = try #require(strong.json?["robust_accuracy"] as? Double)
    #expect(robust < accuracy && robust >= 0)

    let unknown = try FlensCLI.run(["eval", "--model", model, "--data", data.path, "--attack", "nope"])
    #expect(unknown.exitCode == 1 && unknown.stderr.contains("nope"), "\(unknown)")
  }

  @Test func mismatchedDataAndBrokenModelsAreOneLineErrors() throws {
    let data = try StripesData.write(count: 16)
    let rgb = try StripesData.write(count: 16, channels: 3)
    let dir = try FlensCLI.temporaryDirectory()
    defer { for u in [dir, data, rgb] { try? FileManager.default.removeItem(at: u) } }
    let model = try Self.trainedModel(in: dir, data: data)

    let shape = try FlensCLI.run(["eval", "--model", model, "--data", rgb.path, "--json"])
    #expect(shape.exitCode == 1 && shape.stderr.contains(model) && shape.stdout.isEmpty, "\(shape)")
    #expect(shape.stderr.split(separator: "\n").count == 1)

    let missing = try FlensCLI.run(["eval", "--model", dir.appendingPathComponent("nothing").path, "--data", data.path])
    #expect(missing.exitCode == 1 && missing.stderr.contains("nothing"), "\(missing)")

    let weights = model + "/weights.pt"
    let bytes = try Data(contentsOf: URL(fileURLWithPath: weights))
    try bytes.prefix(100).write(to: URL(fileURLWithPath: weights))
    let truncated = try FlensCLI.run(["eval", "--model", model, "--data", data.path])
    #expect(truncated.exitCode == 1 && truncated.stderr.contains(weights), "\(truncated)")
    #expect(truncated.stderr.split(separator: "\n").count == 1)
  }
}
