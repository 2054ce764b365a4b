import Foundation
import FourierLens
import FourierLensExperimentSpec
@testable import FourierLensExperiments
import Testing

/// `models.NAME.seeds: K`: K networks NAME@k, each a model of its own in every step,
/// network k trained with the experiment's seed + k.
@Suite struct NetworkSeedsPlanTests {
  static let base = """
    name: t
    seed: 7
    data: {path: generated, size: 16, train_limit: 64, test_limit: 32}
    models:
      standard: {arch: smallcnn, epochs: 1, batch: 32, seeds: 2}
      other: {arch: smallcnn, epochs: 1, batch: 32, optimizer: adam}
    masks: {lambda: 0.02, epochs: 2, images: 32, seeds: 2}
    probes: {images: 32, run: [accuracy, bands]}
    """

  func plan(_ text: String) throws -> ExperimentPlan {
    try ExperimentPlan(spec: ExperimentSpec.parse(text, file: "exp.yaml"), specFile: "exp.yaml", registry: PluginRegistry())
  }

  @Test func everyNetworkHasItsOwnStepsDirectoriesAndSeed() throws {
    let p = try plan(Self.base)
    #expect(p.modelNames == ["other", "standard@0", "standard@1"])
    #expect(p.steps.map(\.description) == [
      "train/other", "train/standard@0", "train/standard@1",
      "mask-seed/other/0", "mask-seed/other/1", "mask/other",
      "mask-seed/standard@0/0", "mask-seed/standard@0/1", "mask/standard@0",
      "mask-seed/standard@1/0", "mask-seed/standard@1/1", "mask/standard@1",
      "probe/other", "probe/standard@0", "probe/standard@1", "report",
    ])
    for step in p.steps { #expect(try ExperimentStep(parsing: step.description) == step) }
    #expect(p.directory(of: .train("standard@1"), in: "/r") == "/r/models/standard@1")
    #expect(p.directory(of: .mask("standard@1"), in: "/r") == "/r/masks/standard@1")
    #expect(p.directory(of: .probe("standard@1"), in: "/r") == "/r/probes/standard@1")
    // Network k trains with seed 7 + k; nothing else differs.
    guard case let .train(_, c0) = p.models["standard@0"]!.source, case let .train(_, c1) = p.models["standard@1"]!.source,
          case let .train(_, other) = p.models["other"]!.source else {
      Issue.record("networks are not trained")
      return
    }
    #expect(c0.seed == 7 && c1.seed == 8 && other.seed == 7)
    var same = c1
    same.seed = c0.seed
    #expect("\(same)" == "\(c0)")
    // The baseline is network 0 of `standard`; every network is probed against it; the report waits for all.
    #expect(p.baseline == "standard@0")
    #expect(p.dependencies(of: .probe("standard@1")) == [.train("standard@1"), .mask("standard@1"), .mask("standard@0")])
    #expect(p.dependencies(of: .mask("standard@1")) == [.train("standard@1"), .maskSeed("standard@1", 0), .maskSeed("standard@1", 1)])
    #expect(p.dependencies(of: .maskSeed("standard@1", 0)) == [.train("standard@1")])
    #expect(p.dependencies(of: .report) == [.probe("other"), .probe("standard@0"), .probe("standard@1")])
  }

  @Test func cacheKeysSeparateNetworksAndKeepTheSingleNetworksKey() throws {
    let p = try plan(Self.base)
    let keys = ["standard@0", "standard@1"].map { p.models[$0]! }
    #expect(keys[0].key != keys[1].key && keys[0].maskKey != keys[1].maskKey && keys[0].probeKey != keys[1].probeKey)
    // Network 0 is the network the model trains without `seeds`: the same key.
    let single = try plan(Self.base.replacingOccurrences(of: ", seeds: 2}\n  other", with: "}\n  other"))
    #expect(single.modelNames == ["other", "standard"])
    #expect(single.models["standard"]!.key == keys[0].key)
    #expect(single.models["standard"]!.maskKey == keys[0].maskKey)
    // `seeds: 1` is the model itself.
    let one = try plan(Self.base.replacingOccurrences(of: "seeds: 2}\n  other", with: "seeds: 1}\n  other"))
    #expect(one.modelNames == ["other", "standard"] && one.models["standard"]!.key == keys[0].key)
    // The report's key changes with the networks it reads.
    #expect(single.reportKey != p.reportKey)
  }

  @Test func badSeedsFailNamingTheKey() throws {
    func message(_ text: String) -> String {
      do { _ = try plan(text); return "" } catch { return "\(error)" }
    }
    #expect(message(Self.base.replacingOccurrences(of: "seeds: 2}\n  other", with: "seeds: 0}\n  other"))
      .contains("models.standard.seeds must be ≥ 1"))
    let dir = try FileManager.default.url(for: .itemReplacementDirectory, in: .userDomainMask,
                                          appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let loaded = Self.base.replacingOccurrences(of: "other: {arch: smallcnn, epochs: 1, batch: 32, optimizer: adam}",
                                                with: "other: {path: \(dir.path), seeds: 3}")
    #expect(message(loaded).contains("models.other.seeds: a loaded model (`path`) is one network"), "\(message(loaded))")
    #expect(message(Self.base + "\nreport: {baseline: nope}\n").contains("report.baseline 'nope'"))
  }
}
