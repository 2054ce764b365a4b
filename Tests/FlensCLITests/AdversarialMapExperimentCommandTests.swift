import Foundation
import FourierLens
import Testing

/// `adversarial_maps:` in an experiment file on an imported linear model: the experiment's
/// map step is `flens learn-mask --adversarial` with the same settings (byte-identical
/// perturbations, labels and mask), DeepFool flips every image of the linear model, the
/// `alignment` probe of the experiment reads the model's own map and equals the command-line
/// probe on it, and a second run re-learns nothing.
@Suite struct AdversarialMapExperimentCommandTests {
  @Test func experimentLearnsEachModelsMapAndAlignsItsMaskWithIt() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 8)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "maps", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"epochs": 1, "images": 8, "lambda": 0.02, "batch": 4},"#)
      .appending(#" "adversarial_maps": {"attack": "deepfool", "epochs": 2, "batch": 4},"#)
      .appending(#" "probes": {"run": ["alignment:resamples=50"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let map = out + "/adversarial-maps/linear"
    let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: map + "/adversarial.json"))) as? [String: Any]
    #expect(record?["attack"] as? String == "deepfool" && record?["adversarial_accuracy"] as? Double == 0 && record?["count"] as? Double == 8)
    let clean = try NPY.read(fixture.data + "/labels.npy").ints()
    #expect(try NPY.read(map + "/adversarial-labels.npy").ints() == clean.map { 1 - $0 }, "DeepFool flips every image of a linear model")

    // The same map by the command line: the same bytes.
    let direct = fixture.directory.appendingPathComponent("direct").path
    let learned = try FlensCLI.run(["learn-mask", "--model", fixture.model, "--data", fixture.data, "--images", "8", "--epochs", "2",
                                    "--batch", "4", "--threads", "1", "--adversarial", "deepfool", "--out", direct])
    #expect(learned.exitCode == 0, "\(learned)")
    for name in ["perturbation.npy", "adversarial-labels.npy", "mask.npy", "theta.npy"] {
      #expect(FileManager.default.contents(atPath: map + "/" + name) == FileManager.default.contents(atPath: direct + "/" + name), "\(name)")
    }

    // The experiment's alignment is the command-line probe of its mask against its own map.
    let probed = fixture.directory.appendingPathComponent("probe").path
    let probe = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--limit", "8", "--mask", out + "/masks/linear",
                                  "--probe", "alignment:adversarial=\(map),resamples=50", "--threads", "1", "--out", probed])
    #expect(probe.exitCode == 0, "\(probe)")
    let fromRun = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/probes/linear/alignment.json"))) as? [String: Any]
    let fromProbe = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: probed + "/alignment.json"))) as? [String: Any]
    for key in ["mask_vs_map", "mask_vs_perturbation", "map_vs_perturbation"] {
      let a = fromRun?[key] as? [String: Any], b = fromProbe?[key] as? [String: Any]
      #expect(a?["cosine"] as? Double != nil && a?["cosine"] as? Double == b?["cosine"] as? Double, "\(key): \(String(describing: a)) vs \(String(describing: b))")
      #expect(a?["band_correlation"] as? Double == b?["band_correlation"] as? Double, "\(key)")
    }
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("figures/alignment-linear.svg"))

    let again = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(again.exitCode == 0 && again.stderr.contains("adversarial map linear: cached"), "\(again)")
  }
}
