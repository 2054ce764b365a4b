import Foundation
import FourierLens
import FourierLensExperimentSpec
@testable import FourierLensExperiments
import Testing

/// The plan is made from the experiment file before any work: bad settings fail at once
/// naming the file and the key, defaults are filled in, and the cache keys are those the
/// steps always had.
@Suite struct ExperimentPlanTests {
  static let base = """
    name: t
    data: {path: generated, size: 16, train_limit: 64, test_limit: 32}
    models:
      standard: {arch: smallcnn, epochs: 1, batch: 32}
      other: {arch: smallcnn, epochs: 1, batch: 32, optimizer: adam}
    masks: {lambda: 0.02, epochs: 2, images: 32, seeds: 3}
    probes: {images: 32, run: [accuracy, bands]}
    """

  func plan(_ text: String) throws -> ExperimentPlan {
    try ExperimentPlan(spec: ExperimentSpec.parse(text, file: "exp.yaml"), specFile: "exp.yaml", registry: PluginRegistry())
  }

  func message(_ text: String) -> String {
    do { _ = try plan(text); return "" } catch { return "\(error)" }
  }

  @Test func badMaskSettingsAndProbesFailBeforeAnyWorkNamingTheKey() {
    let lambda = message(Self.base.replacingOccurrences(of: "lambda: 0.02", with: "lambda: -1"))
    #expect(lambda.hasPrefix("exp.yaml: masks.lambda:"), "\(lambda)")
    let probe = message(Self.base.replacingOccurrences(of: "[accuracy, bands]", with: "[accuracy, bandz]"))
    #expect(probe.hasPrefix("exp.yaml: probes.run") && probe.contains("bandz"), "\(probe)")
    let param = message(Self.base.replacingOccurrences(of: "lambda: 0.02", with: "param: nosuchmask"))
    #expect(param.hasPrefix("exp.yaml: masks.param") && param.contains("nosuchmask"), "\(param)")
    let arch = message(Self.base.replacingOccurrences(of: "arch: smallcnn, epochs: 1, batch: 32, optimizer", with: "arch: bigcnn, epochs: 1, batch: 32, optimizer"))
    #expect(arch.contains("model 'other': unknown architecture 'bigcnn' (known: smallcnn, resnet18"), "\(arch)")
    let augment = message(Self.base.replacingOccurrences(of: "optimizer: adam", with: "augment: [nosuchaugmentation]"))
    #expect(augment.hasPrefix("exp.yaml: models.other.") && augment.contains("nosuchaugmentation"), "\(augment)")
    let target = message(Self.base.replacingOccurrences(of: "lambda: 0.02", with: "accuracy_target: 1.5"))
    #expect(target.hasPrefix("exp.yaml: masks.accuracy_target:"), "\(target)")
    let batch = message(Self.base.replacingOccurrences(of: "epochs: 1, batch: 32}", with: "epochs: 1, batch: 1}"))
    #expect(batch.hasPrefix("exp.yaml: models.standard.batch:"), "\(batch)")
    let missing = message(Self.base.replacingOccurrences(of: "{arch: smallcnn, epochs: 1, batch: 32}", with: "{path: no/such/model}"))
    #expect(missing.contains("model 'standard'") && missing.contains("no/such/model"), "\(missing)")
  }

  /// The core's checks throw a typed setting; the experiment front end names it by its key
  /// in the section where the value was written (with the file), `flens` by its flag.
  @Test func coreSettingErrorsNameTheFileKeyWhereTheCommandLineNamesTheFlag() throws {
    func replacing(_ a: String, with b: String) -> String { message(Self.base.replacingOccurrences(of: a, with: b)) }
    #expect(replacing("lambda: 0.02", with: "lambda: -1") == "exp.yaml: masks.lambda: must be a finite number ≥ 0, got -1.0")
    #expect(replacing("lambda: 0.02", with: "lambda: 0.02, lr: 0") == "exp.yaml: masks.lr: must be > 0, got 0.0")
    #expect(replacing("lambda: 0.02", with: "lambda: 0.02, patience: 0") == "exp.yaml: masks.patience: must be ≥ 2 epochs (a drift needs two), got 0")
    #expect(replacing("lambda: 0.02", with: "lambda: 0.02, batch: 0") == "exp.yaml: masks.batch: must be ≥ 1, got 0")
    #expect(replacing("optimizer: adam", with: "optimizer: adam, lr: -1")
            == "exp.yaml: models.other.lr: must be a positive number, got -1.0")
    // Checked while the file is read (the retention path has no plan of its own).
    #expect(replacing("lambda: 0.02", with: "retention: [0.9], lambda_factor: 0.5")
            == "exp.yaml: masks.lambda_factor: must be > 1, got 0.5")
    #expect(replacing("lambda: 0.02", with: "retention: [0.9], lambda_start: 0.1, lambda_max: 0.05")
            == "exp.yaml: masks.lambda_max: must be a finite number ≥ the path's first λ (0.1), got 0.05")

    // The same checks, as `flens` prints them.
    var config = MaskLearningConfig()
    config.lambda = -1
    #expect(throws: FourierLensError.badSetting(.lambda, reason: "must be a finite number ≥ 0, got -1.0")) { try config.validate() }
    #expect("\(FourierLensError.badSetting(.lambda, reason: "must be ≥ 0"))" == "option --lambda: must be ≥ 0")
    let flags = SettingKey.allCases.map(\.flag), keys = SettingKey.allCases.map(\.fileKey)
    #expect(Set(flags).count == flags.count && Set(keys).count == keys.count, "two settings share a name")
    #expect([SettingKey.learningRate, .batchSize, .accuracyTarget, .lambdaMax].map(\.flag)
            == ["--lr", "--batch", "--accuracy-target", "--lambda-max"])
    #expect([SettingKey.learningRate, .batchSize, .accuracyTarget, .lambdaMax].map(\.fileKey)
            == ["lr", "batch", "accuracy_target", "lambda_max"])
  }

  @Test func accuracyTargetAndPatienceComeFromTheFileAndChangeTheMaskKey() throws {
    let plain = try plan(Self.base)
    #expect(plain.masks.config.accuracyTarget == 0.99 && plain.masks.config.patience == 5)
    let set = try plan(Self.base.replacingOccurrences(of: "lambda: 0.02", with: "lambda: 0.02, accuracy_target: 0.9, patience: 3"))
    #expect(set.masks.config.accuracyTarget == 0.9 && set.masks.config.patience == 3)
    #expect(set.models["standard"]!.maskKey != plain.models["standard"]!.maskKey)
    #expect(set.models["standard"]!.key == plain.models["standard"]!.key, "the model does not depend on mask settings")
  }

  /// The keys are the ones `flens run` recorded before plans existed (formula of the old
  /// runner, written out here), so existing run directories stay cached.
  @Test func cacheKeysAreTheRunnersFormula() throws {
    let spec = try ExperimentSpec.parse(Self.base, file: "exp.yaml")
    let p = try plan(Self.base)
    let data = StepKey.canonical(spec.data)
    let train = StepKey(["train", StepKey.canonical(spec.models["standard"]!), data, "0"])
    let mask = StepKey(["mask", train.description, StepKey.canonical(spec.masks!), data, "0"])
    let probe = StepKey(["probe", mask.description, StepKey.canonical(spec.probes!), "", "0"])
    #expect(p.models["standard"]!.key == train)
    #expect(p.models["standard"]!.maskKey == mask)
    #expect(p.models["standard"]!.probeKey == probe, "standard is the baseline: no baseline key")
    let otherMask = p.models["other"]!.maskKey
    #expect(p.models["other"]!.probeKey == StepKey(["probe", otherMask.description, StepKey.canonical(spec.probes!), mask.description, "0"]))
    let combined = ["other", "standard"].map { "\($0)=\(StepKey([p.models[$0]!.maskKey.description, p.models[$0]!.probeKey.description]))" }
    #expect(p.reportKey == StepKey(["report", StepKey.canonical(ExperimentSpec.ReportSpec())] + combined))
    // Absent new keys are not encoded, so they cannot change old keys.
    #expect(!StepKey.canonical(spec.masks!).contains("accuracy_target"))
    // A pinned value of FNV-1a with a 0xff separator after each part, computed in Python:
    // h = 0xcbf29ce484222325; for b in b"a\xffb\xff": h = ((h ^ b) * 0x100000001b3) % 2**64
    #expect(StepKey(["a", "b"]).description == "d2b371819297f98a")
  }

  @Test func seedsAreStepsOfTheirOwnWithTheMaskAsTheirMerge() throws {
    let p = try plan(Self.base)
    #expect(p.steps.map(\.description) == [
      "train/other", "train/standard",
      "mask-seed/other/0", "mask-seed/other/1", "mask-seed/other/2", "mask/other",
      "mask-seed/standard/0", "mask-seed/standard/1", "mask-seed/standard/2", "mask/standard",
      "probe/other", "probe/standard", "report",
    ])
    #expect(p.dependencies(of: .maskSeed("other", 1)) == [.train("other")])
    #expect(p.dependencies(of: .mask("other")) == [.train("other"), .maskSeed("other", 0), .maskSeed("other", 1), .maskSeed("other", 2)])
    #expect(p.dependencies(of: .probe("other")) == [.train("other"), .mask("other"), .mask("standard")])
    #expect(p.dependencies(of: .report) == [.probe("other"), .probe("standard")])
    // A retention path learns each seed's λ path in one run: no seed steps.
    let retention = try plan(Self.base.replacingOccurrences(of: "lambda: 0.02", with: "retention: [0.9]"))
    #expect(!retention.steps.contains(.maskSeed("other", 0)) && retention.steps.contains(.mask("other")))
    for step in p.steps { #expect(try ExperimentStep(parsing: step.description) == step) }
    #expect(throws: FourierLensError.self) { try ExperimentStep(parsing: "mask-seed/x/-1") }
    #expect(throws: FourierLensError.self) { try ExperimentStep(parsing: "probes/x") }
  }

  @Test func imageMasksAreShardsOfWholeChunksWithTheMaskAsTheirMerge() throws {
    // 10 images in chunks of 4 (3 chunks); shards of 5 images round up to 2 chunks: 2 shards per seed.
    let image = Self.base.replacingOccurrences(of: "masks: {lambda: 0.02, epochs: 2, images: 32, seeds: 3}",
                                               with: "masks: {scope: image, epochs: 2, images: 10, batch: 4, seeds: 2}\nslurm: {shard_images: 5}")
    let p = try plan(image)
    #expect(p.chunksPerShard == 2 && p.imageShards == 2 && p.chunks(ofShard: 1) == 2..<4 && !p.splitsSeeds)
    #expect(p.steps.map(\.description).filter { $0.hasPrefix("mask") && $0.contains("standard") } == [
      "mask-shard/standard/0/0", "mask-shard/standard/0/1", "mask-shard/standard/1/0", "mask-shard/standard/1/1", "mask/standard",
    ])
    #expect(p.dependencies(of: .maskShard("other", seed: 1, shard: 0)) == [.train("other")])
    #expect(p.dependencies(of: .mask("other")) == [.train("other")] + (0..<2).flatMap { k in (0..<2).map { ExperimentStep.maskShard("other", seed: k, shard: $0) } })
    #expect(p.directory(of: .maskShard("other", seed: 0, shard: 1), in: "/r") == "/r/masks/other")
    for step in p.steps { #expect(try ExperimentStep(parsing: step.description) == step) }
    #expect(throws: FourierLensError.self) { try ExperimentStep(parsing: "mask-shard/x/0") }
    #expect(throws: FourierLensError.self) { try ExperimentStep(parsing: "mask-shard/x/0/-2") }
    // The default shard (256 images) holds all 10 images: the seeds split as before.
    let one = try plan(image.replacingOccurrences(of: "slurm: {shard_images: 5}", with: ""))
    #expect(one.imageShards == 1 && one.steps.contains(.maskSeed("standard", 1)))
    // Dataset and class masks are never sharded.
    let dataset = try plan(Self.base + "\nslurm: {shard_images: 1}\n")
    #expect(dataset.imageShards == 1 && dataset.splitsSeeds)
  }

  @Test func learnMaskAndExperimentsBuildTheirConfigurationInOnePlace() throws {
    var s = MaskSettings()
    s.scope = .image
    #expect(s.config == MaskLearningConfig.singleImageDefaults())
    let image = try plan(Self.base.replacingOccurrences(of: "lambda: 0.02, epochs: 2, images: 32, seeds: 3", with: "scope: image"))
    #expect(image.masks.config.lambda == 0.07 && image.masks.config.learningRate == 0.2 && image.masks.config.epochs == 300)
  }
}
