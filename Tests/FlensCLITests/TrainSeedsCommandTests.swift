import Foundation
import FourierLens
import Testing

/// `flens train --seeds K`: K networks of one condition, MODEL@k with seed --seed + k.
@Suite struct TrainSeedsCommandTests {
  @Test func trainsOneNetworkPerSeedNamedForTheReport() throws {
    let data = try StripesData.write(count: 32)
    defer { try? FileManager.default.removeItem(at: data) }
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("model").path
    let common = ["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "1", "--batch", "8", "--threads", "1",
                  "--seed", "5", "--json"]
    let out = try FlensCLI.run(common + ["--seeds", "2", "--out", model])
    #expect(out.exitCode == 0, "\(out)")
    let networks = try #require(out.json?["networks"] as? [[String: Any]], "\(out.stdout)")
    #expect(networks.map { $0["model"] as? String } == [model + "@0", model + "@1"])
    #expect(!FileManager.default.fileExists(atPath: model))
    var weights: [Data] = []
    for k in 0..<2 {
      let info = try FlensCLI.run(["info", "--model", model + "@\(k)", "--json"])
      #expect(info.exitCode == 0, "\(info)")
      let record = try #require(info.json?["training"] as? [String: Any], "\(info)")
      #expect(record["seed"] as? Int == 5 + k)
      weights.append(try Data(contentsOf: URL(fileURLWithPath: model + "@\(k)/weights.pt")))
    }
    #expect(weights[0] != weights[1], "two seeds gave the same network")
    // Network 0 is the network of a single run with the same seed.
    let single = dir.appendingPathComponent("single").path
    let one = try FlensCLI.run(common + ["--out", single])
    #expect(one.exitCode == 0 && one.json?["networks"] == nil, "\(one)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: single + "/weights.pt")) == weights[0])

    let bad = try FlensCLI.run(common + ["--seeds", "0", "--out", model])
    #expect(bad.exitCode != 0 && bad.stderr.contains("--seeds"), "\(bad)")
  }
}
