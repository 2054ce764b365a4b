import Foundation
import FourierLens
import Testing

/// `flens probe --probe margins` on a planted case: a linear two-class model whose weight
/// vector w lies in the span of one DCT block. Inside that block the margin is analytic,
/// (1 + overshoot)·max(|w·x + b|/‖w‖, 10⁻⁴); every other block is orthogonal to w, so the
/// prediction cannot change from there (+∞).
@Suite struct MarginsProbeCommandTests {
  @Test func plantedBlockHasTheAnalyticMarginAndTheOthersCannotFlip() throws {
    let fixture = try LinearModelFixture.make(shape: [2, 16, 16], count: 6, dctBlock: (row: 1, col: 0, size: 8))
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let out = fixture.directory.appendingPathComponent("probe").path
    let run = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--probe", "margins:block=8",
                                "--threads", "1", "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let margins = try NPY.readTensor(out + "/margins.margins.npy"), medians = try NPY.readTensor(out + "/margins.median_margin.npy")
    #expect(margins.shape == [2, 2, 6] && medians.shape == [2, 2])
    let analytic = fixture.decisionValues.map { 1.02 * max(abs($0) / fixture.l2Norm, 1e-4) }
    let planted = 1 * 2 + 0
    for (i, expected) in analytic.enumerated() {
      let got = Double(margins.data[planted * 6 + i])
      #expect(abs(got - expected) <= 1e-3 * expected, "image \(i): margin \(got) in the planted block, analytic \(expected)")
    }
    let sortedAnalytic = analytic.sorted()
    let medianAnalytic = (sortedAnalytic[2] + sortedAnalytic[3]) / 2
    #expect(abs(Double(medians.data[planted]) - medianAnalytic) <= 1e-3 * medianAnalytic)
    // The other blocks see only float32 traces of w: margins beyond the pixel box's diameter √512, so +∞.
    for block in [0, 1, 3] {
      for i in 0..<6 { #expect(margins.data[block * 6 + i] == .infinity, "block \(block) image \(i): margin \(margins.data[block * 6 + i])") }
    }
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/margins.json"))) as? [String: Any]
    #expect(json?["block"] as? Double == 8 && json?["count"] as? Double == 6)
    let flipped = json?["flipped_fraction"] as? [[Double]]
    #expect(flipped == [[0, 0], [1, 0]], "every image flips inside the planted block, none elsewhere: \(String(describing: flipped))")
    let csv = try String(contentsOfFile: out + "/margins.csv", encoding: .utf8)
    #expect(csv.hasPrefix("block_row,block_col,median_margin,flipped_fraction,images\n") && csv.split(separator: "\n").count == 5)
  }

  /// `probes: {run: [margins:...]}` in an experiment file writes the probe per model, and the
  /// report shows the map, its figure and its data.
  @Test func experimentRunsTheProbeAndTheReportShowsTheMap() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 4, dctBlock: (row: 0, col: 1, size: 8))
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "margins", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"epochs": 1, "images": 4, "lambda": 0.02}, "probes": {"run": ["margins:block=8,steps=20"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let medians = try NPY.readTensor(out + "/probes/linear/margins.median_margin.npy")
    #expect(medians.shape == [2, 2] && medians.data[1].isFinite && medians.data.filter(\.isFinite).count == 1, "\(medians.data)")
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Margins along frequency subspaces") && html.contains("figures/margins-linear.svg"))
    #expect(html.contains("not flippable (∞): (0, 0), (1, 0), (1, 1)"))
    let csv = try String(contentsOfFile: out + "/report/data/margins.csv", encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 5 && csv.contains("linear,0,1,"))
  }

  @Test func blockThatDoesNotDivideTheImageIsAOneLineError() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 8, 8], count: 2)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    for spec in ["margins:block=3", "margins:block=0", "margins:stepz=3"] {
      let run = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--probe", spec,
                                  "--out", fixture.directory.appendingPathComponent("bad").path])
      #expect(run.exitCode == 1, "\(spec): \(run)")
      #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("margins"), "\(spec): \(run.stderr)")
    }
  }
}
