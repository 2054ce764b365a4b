import Foundation
import FourierLens
import Testing

/// Two probes of one plugin with different options each keep their outputs, and the report
/// shows both; the same probe twice is refused before any work.
@Suite struct ProbeOutputNamesCommandTests {
  @Test func twoOptionsOfOneAttackWriteTwoFilesAndTheReportShowsBoth() throws {
    let fixture = try LearnedMaskFixture()
    defer { fixture.remove() }
    let (data, dir, model, mask) = (fixture.data, fixture.dir, fixture.model, fixture.mask)
    let probes = mask + "/probes"
    let run = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--probe", "attack:fgsm:eps=0.01",
                                "--probe", "attack:fgsm:eps=0.4", "--probe", "accuracy", "--threads", "2", "--out", probes, "--json"])
    #expect(run.exitCode == 0, "\(run)")
    let small = try #require(run.json?["attack-fgsm_eps=0.01"] as? [String: Any], "\(run)")
    let large = try #require(run.json?["attack-fgsm_eps=0.4"] as? [String: Any], "\(run)")
    for (file, spec, json) in [("attack-fgsm_eps=0.01", "fgsm:eps=0.01", small), ("attack-fgsm_eps=0.4", "fgsm:eps=0.4", large)] {
      let written = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(probes)/\(file).json"))) as? [String: Any]
      #expect(written?["attack"] as? String == spec)
      #expect(written?["robust_accuracy"] as? Double == json["robust_accuracy"] as? Double)
      #expect(FileManager.default.fileExists(atPath: "\(probes)/\(file).csv"))
    }
    // A probe alone under its name keeps today's file name.
    #expect(FileManager.default.fileExists(atPath: probes + "/accuracy.json"))
    #expect(!FileManager.default.fileExists(atPath: probes + "/attack-fgsm.json"))
    // The larger budget is the stronger attack: the two files are two measurements.
    let robustSmall = try #require(small["robust_accuracy"] as? Double), robustLarge = try #require(large["robust_accuracy"] as? Double)
    #expect(robustLarge < robustSmall, "eps 0.4: \(robustLarge), eps 0.01: \(robustSmall)")

    let report = dir.appendingPathComponent("report").path
    let r = try FlensCLI.run(["report", mask, "--out", report])
    #expect(r.exitCode == 0, "\(r)")
    let csv = try String(contentsOfFile: report + "/data/robustness.csv", encoding: .utf8)
    let rows = csv.split(separator: "\n").dropFirst()
    #expect(rows.count == 2, "\(csv)")
    #expect(rows.contains { $0.contains(",fgsm:eps=0.01,") } && rows.contains { $0.contains(",fgsm:eps=0.4,") }, "\(csv)")
    let html = try String(contentsOfFile: report + "/index.html", encoding: .utf8)
    #expect(html.contains("fgsm:eps=0.01") && html.contains("fgsm:eps=0.4"))
  }

  @Test func theSameProbeTwiceIsAOneLineErrorBeforeWork() throws {
    let data = try StripesData.write(count: 8)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let out = dir.appendingPathComponent("out").path
    for pair in [["attack:fgsm:eps=0.1", "attack:fgsm: eps=0.1"], ["passband:radial=4,angular=2", "passband:angular=2,radial=4"],
                 ["heatmap", "heatmap"]] {
      // The model does not exist: the specs must be refused before it is loaded.
      let r = try FlensCLI.run(["probe", "--model", dir.appendingPathComponent("no-model").path, "--data", data.path,
                                "--probe", pair[0], "--probe", pair[1], "--out", out])
      #expect(r.exitCode == 1, "\(pair): \(r)")
      #expect(r.stderr.contains("the same probe as --probe \(pair[0])") && r.stderr.split(separator: "\n").count == 1,
              "\(pair): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }
}
