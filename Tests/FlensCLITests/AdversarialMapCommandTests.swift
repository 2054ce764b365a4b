import Foundation
import FourierLens
import Testing

/// `flens learn-mask --adversarial SPEC` on an imported linear model: the map is learned on
/// the attack's adversarial images labelled with the adversarial predictions (DeepFool flips
/// every image, so every label is the other class), and the `alignment` probe compares the
/// ordinary mask with it.
@Suite struct AdversarialMapCommandTests {
  @Test func adversarialMapAndAlignmentProbe() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 8)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let map = fixture.directory.appendingPathComponent("map").path, mask = fixture.directory.appendingPathComponent("mask").path
    let common = ["--model", fixture.model, "--data", fixture.data, "--epochs", "2", "--batch", "4", "--threads", "1"]
    let learned = try FlensCLI.run(["learn-mask"] + common + ["--adversarial", "deepfool", "--out", map])
    #expect(learned.exitCode == 0, "\(learned)")
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: map + "/adversarial.json"))) as? [String: Any]
    #expect(record?["attack"] as? String == "deepfool" && record?["adversarial_accuracy"] as? Double == 0 && record?["count"] as? Double == 8)
    let labels = try NPY.read(map + "/adversarial-labels.npy").ints(), clean = try NPY.read(fixture.data + "/labels.npy").ints()
    #expect(labels == clean.map { 1 - $0 }, "the learner's labels are the adversarial predictions")
    #expect(try NPY.readTensor(map + "/perturbation.npy").shape == [8, 1, 16, 16])
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: map + "/summary.json"))) as? [String: Any]
    #expect(summary?["clean_accuracy"] as? Double == 1, "on its own labels the model is right on every adversarial image")
    #expect(FileManager.default.fileExists(atPath: map + "/mask.npy"))

    #expect(try FlensCLI.run(["learn-mask"] + common + ["--out", mask]).exitCode == 0)
    let out = fixture.directory.appendingPathComponent("probe").path
    let probe = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--mask", mask,
                                  "--probe", "alignment:adversarial=\(map)", "--out", out])
    #expect(probe.exitCode == 0, "\(probe)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/alignment.json"))) as? [String: Any]
    for key in ["mask_vs_map", "mask_vs_perturbation", "map_vs_perturbation"] {
      let part = json?[key] as? [String: Any]
      #expect((part?["cosine"] as? Double).map { (-1...1).contains($0) } == true, "\(key): \(String(describing: part))")
    }
    #expect(((json?["mask_vs_perturbation"] as? [String: Any])?["cosine_ci"] as? [Double])?.count == 2)

    // The report of a run directory holding the mask and the probe shows the comparison.
    let run = fixture.directory.appendingPathComponent("run")
    try FileManager.default.createDirectory(at: run.appendingPathComponent("masks"), withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: run.appendingPathComponent("probes"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: mask, toPath: run.appendingPathComponent("masks/linear").path)
    try FileManager.default.copyItem(atPath: out, toPath: run.appendingPathComponent("probes/linear").path)
    let report = fixture.directory.appendingPathComponent("report").path
    let made = try FlensCLI.run(["report", run.path, "--out", report])
    #expect(made.exitCode == 0, "\(made)")
    let html = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
    #expect(html.contains("Essential mask, adversarial map and perturbation spectrum") && html.contains("figures/alignment-linear.svg"))
    #expect(try String(contentsOfFile: report + "/data/alignment.csv", encoding: .utf8).split(separator: "\n").count == 4)

    let bad = try FlensCLI.run(["learn-mask"] + common + ["--adversarial", "deepfool:norm=l3", "--out", fixture.directory.appendingPathComponent("bad").path])
    #expect(bad.exitCode == 1 && bad.stderr.split(separator: "\n").count == 1 && bad.stderr.contains("deepfool"), "\(bad)")
  }
}
