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
    #expect(text.exitCode == 0 && text.stdout.contains("accuracy") && text.stdout.contains("(no split)"), "\(text)")
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
