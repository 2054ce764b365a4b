import Foundation
import FourierLens
import Testing

/// `flens learn-mask --retention` through the built binary: the directory layout, the
/// warnings when a target is not met, refusals, and kills during a path.
@Suite(.serialized) struct RetentionCommandTests {
  static func learn(_ model: String, _ data: URL, _ extra: [String]) throws -> FlensCLI.Output {
    try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--batch", "16", "--seed", "3",
                      "--threads", "2"] + extra)
  }

  /// Stripes data, a scratch directory, and a small CNN trained on the data in it.
  static func trainedModel() throws -> (data: URL, dir: URL, model: String) {
    let data = try StripesData.write(count: 48)
    let dir = try FlensCLI.temporaryDirectory()
    return (data, dir, try MaskPipelineCommandTests.trainedModel(data: data, in: dir))
  }

  @Test func retentionWritesOneMaskDirectoryPerTargetAndThePath() throws {
    let (data, dir, model) = try Self.trainedModel()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let out = dir.appendingPathComponent("masks").path
    let r = try Self.learn(model, data, ["--retention", "0.95,0.9", "--epochs", "3", "--seeds", "2",
                                         "--lambda-start", "0.01", "--lambda-factor", "4", "--lambda-max", "3",
                                         "--out", out, "--json"])
    #expect(r.exitCode == 0, "\(r)")
    let json = try #require(r.json)
    let summaries = try #require(json["retention"] as? [[String: Any]])
    #expect(summaries.compactMap { $0["retention_target"] as? Double }.map { Float($0) } == [0.95, 0.9])
    #expect(json["path_csv"] as? String == out + "/path.csv")
    for name in ["retention-0.95", "retention-0.9"] {
      for file in ["mask.npy", "mask_std.npy", "summary.json", "mask.png", "examples.png", "seeds/0/mask.npy",
                   "seeds/0/theta.npy", "seeds/1/summary.json", "seeds/1/history.csv"] {
        #expect(FileManager.default.fileExists(atPath: "\(out)/\(name)/\(file)"), "missing \(name)/\(file)")
      }
      let mask = try MaskRunDirectory.read("\(out)/\(name)")
      let s = mask.summary
      let target = try #require(s.retentionTarget)
      #expect(name == "retention-\(target)")
      #expect(s.path?.isEmpty == false && s.seeds?.count == 2)
      // Each seed's mask meets R, or says it does not (and the command warned).
      for k in 0..<2 {
        let seed = try MaskRunDirectory.read("\(out)/\(name)/seeds/\(k)").summary
        #expect(seed.targetMet != nil)
        let met = seed.targetMet ?? false
        #expect(met == (seed.maskedAccuracy >= target * seed.cleanAccuracy))
        if !met { #expect(r.stderr.contains("never reached retention \(target)")) }
        #expect(seed.path?.contains { $0.lambda == seed.lambda } == true)
      }
    }
    // The looser target is never less sparse, seed by seed.
    for k in 0..<2 {
      let strict = try MaskRunDirectory.read("\(out)/retention-0.95/seeds/\(k)").summary
      let loose = try MaskRunDirectory.read("\(out)/retention-0.9/seeds/\(k)").summary
      #expect(loose.sparsity <= strict.sparsity)
    }
    // path.csv: every λ of both seeds, λ growing by the factor within a seed.
    let lines = try String(contentsOfFile: out + "/path.csv", encoding: .utf8).split(separator: "\n").map(String.init)
    let header = lines[0].split(separator: ",").map(String.init)
    #expect(Array(header.prefix(8)) == ["seed", "group", "step", "lambda", "masked_accuracy", "clean_accuracy",
                                        "retention", "sparsity"])
    let rows = lines.dropFirst().map { $0.split(separator: ",").map(String.init) }
    for seed in ["3", "4"] {
      let lambdas = rows.filter { $0[0] == seed }.map { Double($0[3])! }
      #expect(!lambdas.isEmpty && abs(lambdas[0] - 0.01) < 1e-7)
      for (a, b) in zip(lambdas, lambdas.dropFirst()) { #expect(abs(b / a - 4) < 1e-4) }
      #expect(lambdas.last! <= 3)
    }
    // A retention directory is an ordinary mask directory for the probes.
    let probe = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", out + "/retention-0.9",
                                  "--probe", "accuracy", "--threads", "2", "--out", dir.appendingPathComponent("p").path, "--json"])
    #expect(probe.exitCode == 0, "\(probe)")
    // The run directory itself is not one; the error says which are.
    let wrong = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", out, "--probe", "accuracy",
                                  "--threads", "2", "--out", dir.appendingPathComponent("q").path])
    #expect(wrong.exitCode == 1 && wrong.stderr.contains("retention-0.9") && wrong.stderr.contains("retention-0.95"), "\(wrong)")
  }

  @Test func targetsNotMetAreSaidOnTheTerminalAndInTheSummary() throws {
    let (data, dir, model) = try Self.trainedModel()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    // With the KL objective (no exponential pushing back) a huge λ at a high learning rate
    // empties the mask within the first epoch: the masked model predicts one class, far
    // from the 100 % of clean accuracy asked for.
    let plain = dir.appendingPathComponent("plain").path
    let r = try Self.learn(model, data, ["--objective", "kl", "--lambda", "50", "--lr", "0.5", "--epochs", "2",
                                         "--accuracy-target", "1", "--out", plain])
    #expect(r.exitCode == 0, "\(r)")
    #expect(r.stderr.contains("warning: 1 of 1 masks never reached 100 % of clean accuracy (the dataset mask)"), "\(r.stderr)")
    let s = try MaskRunDirectory.read(plain).summary
    #expect(s.targetMet == false && s.masksMeetingTarget == 0)

    let retained = dir.appendingPathComponent("retained").path
    let q = try Self.learn(model, data, ["--objective", "kl", "--retention", "1", "--lambda-start", "50", "--lambda-max", "50", "--lr", "0.5",
                                         "--epochs", "2", "--out", retained, "--json"])
    #expect(q.exitCode == 0, "\(q)")
    #expect(q.stderr.contains("never reached retention 1"), "\(q.stderr)")
    let t = try MaskRunDirectory.read(retained + "/retention-1.0").summary
    #expect(t.targetMet == false && t.masksMeetingTarget == 0 && t.path?.count == 1)
    #expect(t.maskedAccuracy < t.cleanAccuracy)
  }

  @Test func badRetentionOptionsAreRefusedBeforeWork() throws {
    let data = try StripesData.write(count: 8)
    defer { try? FileManager.default.removeItem(at: data) }
    for (args, option) in [(["--retention", "1.5"], "--retention"), (["--retention", "0.9,x"], "--retention"),
                           (["--retention", "0.9", "--lambda", "0.1"], "--lambda"),
                           (["--retention", "0.9", "--scope", "image"], "--scope image"),
                           (["--retention", "0.9", "--lambda-factor", "1"], "--lambda-factor"),
                           (["--retention", "0.9", "--lambda-start", "0"], "--lambda-start")] {
      let r = try FlensCLI.run(["learn-mask", "--model", "/nonexistent-model", "--data", data.path, "--out", "/tmp/unused"] + args)
      #expect(r.exitCode == 1, "\(args): \(r)")
      #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(option), "\(args): \(r.stderr)")
    }
  }

  /// SIGKILL at random moments of a path run, then --resume: the masks of every target are
  /// bit-identical to those of an uninterrupted run.
  @Test(.timeLimit(.minutes(10)))
  func retentionKilledAtRandomAndResumedGivesTheSameMasks() throws {
    let (data, dir, model) = try Self.trainedModel()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let reference = dir.appendingPathComponent("reference").path, killed = dir.appendingPathComponent("killed").path
    let common = ["learn-mask", "--model", model, "--data", data.path, "--epochs", "4", "--batch", "16", "--seed", "3",
                  "--threads", "2", "--retention", "0.95,0.9", "--lambda-start", "0.01", "--lambda-factor", "3",
                  "--lambda-max", "3"]
    var first: FlensCLI.Output?
    let t = try KillResumeTests.seconds { first = try FlensCLI.run(common + ["--out", reference]) }
    try #require(first?.exitCode == 0, "the uninterrupted reference run failed: \(first.map(String.init(describing:)) ?? "")")
    let files = ["retention-0.95/mask.npy", "retention-0.9/mask.npy", "retention-0.9/theta.npy", "path.csv"]
    let expected = try files.map { try Data(contentsOf: URL(fileURLWithPath: reference + "/" + $0)) }
    let kills = min(KillResumeTests.requiredKills, 8)
    let stats = try KillResumeTests.killAndResume(common + ["--out", killed], out: killed, referenceSeconds: t, kills: kills,
                                                  checkConsistent: { out in
      _ = try MaskRunDirectory.readCheckpoint(out)  // throws on a corrupt checkpoint
      if FileManager.default.fileExists(atPath: out + "/path-state.json") {
        _ = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/path-state.json")))
      }
    }, compare: { out in
      for (f, bytes) in zip(files, expected) {
        let got = try Data(contentsOf: URL(fileURLWithPath: out + "/" + f))
        #expect(got == bytes, "\(f) differs from the uninterrupted run")
      }
      #expect(KillResumeTests.temporaries(in: out).isEmpty, "temporary files left behind: \(KillResumeTests.temporaries(in: out))")
    })
    print("learn-mask --retention kill-and-resume: \(stats) (reference run \(String(format: "%.1f", t)) s)")
    #expect(stats.kills >= kills && stats.completedCycles >= 1)
  }

  /// `masks.retention` in an experiment: every model's masks at each R, probes against the
  /// baseline at the same R, a report per R and an index; cached on a second run.
  @Test func experimentWithRetentionComparesEveryModelAtEachTarget() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let path = dir.appendingPathComponent("exp.yaml").path
    try """
      name: retention-test
      threads: 2
      data: {path: \(data.path)}
      models:
        standard: {arch: smallcnn, epochs: 1, batch: 16, lr: 0.05}
        other:    {arch: smallcnn, epochs: 2, batch: 16, lr: 0.05}
      masks: {epochs: 2, batch: 16, images: 16, retention: [0.95, 0.9], lambda_start: 0.01, lambda_factor: 4, lambda_max: 1}
      probes: {images: 16, run: [accuracy, "bands:radial=4,angular=4", "passband:radial=2,angular=2"]}
      """.write(toFile: path, atomically: true, encoding: .utf8)
    let run = dir.appendingPathComponent("run").path
    let first = try FlensCLI.run(["run", path, "--out", run])
    #expect(first.exitCode == 0, "\(first)")
    // passband does not read the mask: run at the first target, the same files at the second;
    // accuracy and bands read it and run at each.
    for model in ["standard", "other"] {
      #expect(first.stderr.contains("probes \(model)/retention-0.9: passband as at the first target"), "\(first.stderr)")
      for file in ["passband.json", "passband.csv"] {
        let a = FileManager.default.contents(atPath: "\(run)/probes/\(model)/retention-0.95/\(file)")
        #expect(a != nil && a == FileManager.default.contents(atPath: "\(run)/probes/\(model)/retention-0.9/\(file)"), "\(model) \(file)")
      }
    }
    #expect(!first.stderr.contains("accuracy as at") && !first.stderr.contains("bands as at"), "\(first.stderr)")
    #expect(first.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run + "/report/index.html")
    for model in ["standard", "other"] {
      for r in ["retention-0.95", "retention-0.9"] {
        let s = try MaskRunDirectory.read("\(run)/masks/\(model)/\(r)").summary
        #expect(r == "retention-\(s.retentionTarget ?? -1)")
        #expect(FileManager.default.fileExists(atPath: "\(run)/probes/\(model)/\(r)/accuracy.json"), "\(model) \(r) probes")
      }
      #expect(FileManager.default.fileExists(atPath: "\(run)/masks/\(model)/path.csv"))
    }
    // The other model's band differences are taken against the standard mask at the same R.
    let bands = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath:
      run + "/probes/other/retention-0.9/bands.json"))) as? [String: Any]
    #expect(bands?["radial_difference"] != nil)
    for file in ["report/index.html", "report/data/retention.csv", "report/retention-0.95/index.html",
                 "report/retention-0.9/index.html"] {
      #expect(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
    }
    let second = try FlensCLI.run(["run", path, "--out", run])
    #expect(second.exitCode == 0)
    for step in ["mask standard: cached", "mask other: cached", "probes other: cached", "report: cached"] {
      #expect(second.stderr.contains(step), "second run: \(step) missing in \(second.stderr)")
    }
  }

  /// Without `lambda` and `retention`, an experiment compares its models at matched
  /// retention (0.95 and 0.99); `lambda` keeps the fixed-λ layout.
  @Test func experimentWithoutLambdaComparesAtMatchedRetentionByDefault() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    for (masks, retention) in [("{epochs: 1, batch: 16, images: 16, lambda_start: 0.01, lambda_factor: 8, lambda_max: 1}", true),
                               ("{epochs: 1, batch: 16, images: 16, lambda: 0.02}", false)] {
      let path = dir.appendingPathComponent("exp.yaml").path
      try """
        threads: 2
        data: {path: \(data.path)}
        models: {standard: {arch: smallcnn, epochs: 1, batch: 16, lr: 0.05}}
        masks: \(masks)
        """.write(toFile: path, atomically: true, encoding: .utf8)
      let run = dir.appendingPathComponent(retention ? "default" : "fixed").path
      let r = try FlensCLI.run(["run", path, "--out", run])
      #expect(r.exitCode == 0, "\(r)")
      let top = run + "/masks/standard"
      #expect(FileManager.default.fileExists(atPath: top + "/mask.npy") == !retention, "\(masks)")
      for target in ["0.95", "0.99"] {  // README: the default targets
        let sub = top + "/retention-\(target)"
        #expect(FileManager.default.fileExists(atPath: sub + "/summary.json") == retention, "\(masks): \(sub)")
        if retention { #expect(try MaskRunDirectory.read(sub).summary.retentionTarget == Float(target)) }
      }
    }
  }

  @Test func experimentRetentionIsValidatedBeforeWork() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (masks, key) in [("{retention: [1.5]}", "masks.retention"), ("{retention: []}", "masks.retention"),
                         ("{retention: [0.9], lambda: 0.1}", "masks.lambda"),
                         ("{retention: [0.9], scope: image}", "masks.retention"),
                         ("{retention: [0.9], lambda_factor: 0.5}", "masks.lambda_factor"),
                         ("{lambda: 0.1, lambda_max: 2}", "masks.lambda_start")] {
      let path = dir.appendingPathComponent("bad.yaml").path
      try "data: {path: generated}\nmodels: {standard: {arch: smallcnn, epochs: 1}}\nmasks: \(masks)\n"
        .write(toFile: path, atomically: true, encoding: .utf8)
      let run = dir.appendingPathComponent("run").path
      let r = try FlensCLI.run(["run", path, "--out", run])
      #expect(r.exitCode == 1, "\(masks): \(r)")
      #expect(r.stderr.contains(path) && r.stderr.contains(key), "\(masks): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: run + "/models"), "\(masks): work started")
    }
  }
}
