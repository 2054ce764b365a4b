import Foundation
import FourierLens
import Testing

/// `ablation` in an experiment file on an imported linear TorchScript model: the probe's
/// outputs have their documented shapes and mask sizes, and the report shows the map and
/// compares it with the learned mask. (Its numbers are checked against a direct computation
/// in FrequencyAblationProbeTests.)
@Suite struct AblationProbeCommandTests {
  @Test func experimentRunsTheProbeAndTheReportComparesItWithTheMask() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 8)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "ablation", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"epochs": 1, "images": 8, "lambda": 0.02}, "probes": {"run": ["ablation:top=5|20"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let increase = try NPY.readTensor(out + "/probes/linear/ablation.loss_increase.npy")
    let masks = try NPY.readTensor(out + "/probes/linear/ablation.masks.npy")
    #expect(increase.shape == [2, 16, 16] && masks.shape == [2, 2, 16, 16])
    // A 5 % mask keeps round(0.05 · 256) = 13 coefficients or one pair more.
    let kept = masks.data[0..<256].reduce(0, +)
    #expect(kept >= 13 && kept <= 14, "kept \(kept)")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/probes/linear/ablation.json"))) as? [String: Any]
    #expect(json?["top_k_percent"] as? [Double] == [5, 20] && (json?["tpr"] as? [[Double]])?.count == 2)
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Frequency ablation and shortcut masks") && html.contains("figures/ablation-linear.svg"))
    let csv = try String(contentsOfFile: out + "/report/data/ablation.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 3 && csv.dropFirst().allSatisfy { !$0.hasSuffix(",") }, "the cosine with the learned mask is there: \(csv)")
  }
}
