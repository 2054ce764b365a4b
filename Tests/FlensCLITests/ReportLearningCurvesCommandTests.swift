import Foundation
import FourierLens
import Testing

/// A `--seeds K` mask directory keeps its per-epoch histories in `seeds/<k>/summary.json`;
/// the report draws one curve per seed from them.
@Suite struct ReportLearningCurvesCommandTests {
  @Test func multiSeedMaskDirectoriesShowEverySeedsCurves() throws {
    let fixture = try LearnedMaskFixture(epochs: 3, seeds: 2)
    defer { fixture.remove() }
    let (dir, mask) = (fixture.dir, fixture.mask)
    var expected: [[String]] = []
    for k in 0 ..< 2 {
      let summary = try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: "\(mask)/seeds/\(k)/summary.json"))) as? [String: Any]
      let history = try #require(summary?["history"] as? [[String: Any]])
      #expect(history.count == 3)
      let seed = try #require(summary?["seed"] as? Int)
      expected += history.map { ["\(seed)", "\($0["epoch"] as! Int)"] }
    }
    let report = dir.appendingPathComponent("report").path
    let r = try FlensCLI.run(["report", mask, "--out", report])
    #expect(r.exitCode == 0, "\(r)")
    let html = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
    #expect(!html.contains("No per-epoch history"))
    let rows = try String(contentsOfFile: report + "/data/training.csv", encoding: .utf8).split(separator: "\n")
    #expect(rows.first == "model,seed,epoch,learning_rate,data_term,distortion,sparsity,loss,masked_accuracy,kept")
    #expect(rows.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).dropFirst().prefix(2).map(String.init) }
            == expected)
    let svg = try String(contentsOfFile: report + "/figures/training-accuracy.svg", encoding: .utf8)
    #expect(svg.components(separatedBy: "<polyline").count - 1 >= 2 || svg.components(separatedBy: "<path").count - 1 >= 2, "\(svg.prefix(400))")
  }
}
