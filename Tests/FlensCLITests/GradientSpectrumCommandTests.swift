import Foundation
import FourierLens
import Testing

/// `gradient-spectrum` through an experiment: the probe's files, and the report's section
/// with its figure, its data file and the per-model table.
@Suite struct GradientSpectrumCommandTests {
  @Test func experimentWritesTheSpectrumAndTheReportShowsIt() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 12)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "gradients", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"linear": {"path": "\#(fixture.model)"}},"#
      .appending(#" "masks": {"epochs": 1, "lambda": 0.02, "images": 12}, "probes": {"images": 12, "run": ["gradient-spectrum:radial=4,angular=4"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let probes = out + "/probes/linear/"
    #expect(try NPY.readTensor(probes + "gradient-spectrum.spectrum.npy").shape == [1, 16, 16])
    let json = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: probes + "gradient-spectrum.json"))) as? [String: Any])
    #expect((json["radial"] as? [Double])?.count == 4 && json["images"] as? Int == 12 && json["through_mask"] as? Bool == true,
            "\(json)")
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Input-gradient spectra") && html.contains("figures/gradient-spectrum-radial.svg"))
    let csv = try String(contentsOfFile: out + "/report/data/gradient-spectrum.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 5 && csv[1].hasPrefix("linear,0,"), "\(csv)")
  }
}
