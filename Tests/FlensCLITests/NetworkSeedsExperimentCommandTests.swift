import Foundation
import FourierLens
import Testing

/// An experiment with `seeds: K` models end to end: K networks per model, masks and probes
/// per network, and a report whose intervals are over networks and their mask seeds.
@Suite struct NetworkSeedsExperimentCommandTests {
  @Test func networksAreTrainedMaskedProbedAndReportedAsConditions() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let path = dir.appendingPathComponent("exp.yaml").path
    try """
      name: networks-test
      seed: 4
      threads: 2
      data: {path: \(data.path)}
      models:
        standard: {arch: smallcnn, epochs: 1, batch: 16, lr: 0.05, seeds: 2}
        wide: {arch: smallcnn, epochs: 1, batch: 16, lr: 0.02, seeds: 2}
      masks: {epochs: 2, batch: 16, images: 16, lambda: 0.02, seeds: 2}
      probes: {images: 16, run: [bands]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    let run = dir.appendingPathComponent("run").path
    let first = try FlensCLI.run(["run", path, "--out", run])
    #expect(first.exitCode == 0, "\(first)")
    var weights: [Data] = []
    for k in 0..<2 {
      let description = try #require(try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: run + "/models/standard@\(k)/model.json"))) as? [String: Any])
      #expect((description["training"] as? [String: Any])?["seed"] as? Int == 4 + k)
      weights.append(try Data(contentsOf: URL(fileURLWithPath: run + "/models/standard@\(k)/weights.pt")))
      for folder in ["masks/standard@\(k)/mask.npy", "masks/wide@\(k)/seeds/1/mask.npy", "probes/wide@\(k)/bands.json"] {
        #expect(FileManager.default.fileExists(atPath: run + "/" + folder), "\(folder) missing")
      }
    }
    #expect(weights[0] != weights[1])
    #expect(!FileManager.default.fileExists(atPath: run + "/models/standard"))
    let bands = try #require(try JSONSerialization.jsonObject(
      with: Data(contentsOf: URL(fileURLWithPath: run + "/report/data/bands.json"))) as? [String: Any])
    #expect(bands["intervals_cover"] as? String == "networks and mask samples")
    let conditions = try #require(bands["conditions"] as? [[String: Any]])
    #expect(Set(conditions.compactMap { $0["name"] as? String }) == ["standard", "wide"])
    let wide = try #require(conditions.first { $0["name"] as? String == "wide" })
    #expect(wide["networks"] as? [String] == ["wide@0", "wide@1"])
    #expect((wide["low_frequency_share_difference_ci"] as? [Double])?.count == 2)

    // A second run does nothing; the networks' steps are cached one by one.
    let second = try FlensCLI.run(["run", path, "--out", run])
    #expect(second.exitCode == 0)
    for step in ["model standard@1: cached", "mask wide@0: cached", "report: cached"] {
      #expect(second.stderr.contains(step), "second run: \(step) missing in \(second.stderr)")
    }
  }
}
