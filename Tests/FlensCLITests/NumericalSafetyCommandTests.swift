import Foundation
import FourierLens
import Testing

/// Options outside their meaningful range are refused before any work starts (exit 1, one
/// line naming the option, nothing written), and a NaN or infinity is reported where it
/// first appears, with the step, instead of spreading.
@Suite(.serialized) struct NumericalSafetyCommandTests {
  @Test func optionsOutsideTheirRangeAreRefusedBeforeAnyWork() throws {
    let data = try StripesData.write(count: 16)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let out = dir.appendingPathComponent("out").path
    let learn = ["learn-mask", "--model", model, "--data", data.path, "--out", out]
    let train = ["train", "--arch", "smallcnn", "--data", data.path, "--out", out]
    let cases: [([String], String)] = [
      (learn + ["--lambda", "-0.1"], "--lambda"),
      (learn + ["--lambda", "nan"], "--lambda"),
      (learn + ["--epochs", "0"], "--epochs"),
      (learn + ["--lr", "0"], "--lr"),
      (learn + ["--batch", "0"], "--batch"),
      (learn + ["--seeds", "0"], "--seeds"),
      (learn + ["--images", "0"], "--images"),
      (learn + ["--accuracy-target", "1.5"], "--accuracy-target"),
      (learn + ["--param", "lowpass:radius=-1"], "radius"),
      (train + ["--epochs", "0"], "--epochs"),
      (train + ["--epochs", "1", "--lr", "-1"], "--lr"),
      (train + ["--epochs", "1", "--batch", "1"], "--batch"),
      (train + ["--epochs", "1", "--weight-decay", "-1"], "--weight-decay"),
      (train + ["--epochs", "1", "--adversarial", "pgd-linf:eps=-0.03"], "eps"),
      (["eval", "--model", model, "--data", data.path, "--attack", "fgsm:eps=-0.1"], "eps"),
      (["attack", "--model", model, "--data", data.path, "--attack", "pgd-linf:eps=-1", "--out", out], "eps"),
      (["probe", "--model", model, "--data", data.path, "--probe", "heatmap:eps=-4", "--out", out], "eps"),
    ]
    for (arguments, option) in cases {
      let r = try FlensCLI.run(arguments + ["--threads", "1"])
      #expect(r.exitCode == 1, "\(arguments.joined(separator: " ")): \(r)")
      #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(option),
              "\(arguments.joined(separator: " ")): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(arguments.joined(separator: " ")) wrote \(out)")
    }
  }

  @Test func aMaskOfTheWrongShapeForTheModelIsRefused() throws {
    let data = try StripesData.write(count: 16)
    let big = try StripesData.write(count: 16, size: 16)
    let dir = try FlensCLI.temporaryDirectory()
    defer { for u in [dir, data, big] { try? FileManager.default.removeItem(at: u) } }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)  // 1×8×8
    let bigModel = try MaskPipelineCommandTests.trainedModel(data: big, in: dir.appendingPathComponent("big"))  // 1×16×16
    let mask = dir.appendingPathComponent("mask").path
    let learn = try FlensCLI.run(["learn-mask", "--model", bigModel, "--data", big.path, "--epochs", "1", "--threads", "2", "--out", mask])
    try #require(learn.exitCode == 0, "\(learn)")
    let out = dir.appendingPathComponent("probes").path
    let r = try FlensCLI.run(["probe", "--model", model, "--data", data.path, "--mask", mask, "--probe", "accuracy", "--out", out])
    #expect(r.exitCode == 1 && r.stderr.split(separator: "\n").count == 1, "\(r)")
    #expect(r.stderr.contains("16") && r.stderr.contains("8"), "the message gives both shapes: \(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out + "/accuracy.json"))
  }

  @Test func aDivergingTrainingRunNamesTheStepWhereTheLossBecameNonFinite() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let out = dir.appendingPathComponent("m").path
    let r = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "2", "--batch", "8",
                              "--lr", "1e30", "--warmup", "0", "--seed", "1", "--threads", "2", "--quiet", "--out", out])
    #expect(r.exitCode == 1, "\(r)")
    #expect(r.stderr.contains("non-finite") && r.stderr.contains("at epoch 1, step") && r.stderr.contains("--lr"), "\(r.stderr)")
    // Nothing non-finite was saved as a model.
    #expect(!FileManager.default.fileExists(atPath: out + "/model.json"))
  }

  /// experiment crash-eb72c470 (scripts/fuzz.sh): `images: 20:::…:11:00` is a YAML 1.1
  /// base-60 integer whose value overflows; Yams trapped computing it. Now an error naming
  /// the file.
  @Test func anExperimentWithAnOverflowingBase60NumberIsAnError() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("experiment.yaml").path
    try #require(Data(base64Encoded: "bmFtZTogcGFwZXItY29tcGEhcHByaXNvbgpkYXRhOiB7cGF0aDogLi4vc2hhcmVkL2RhdGEvY2lmYXIxMCwgZ3JheXNjYWxlOiB0cnVlfQptb2RebHM6CiAgc3Rhc2NhbGU6IHRydWV9Cm1vZGVsczoKICBzdGFuZGFyZDogICAge2FyY2g6IHNtYWxsY25uLCBlcG9raHM6IDE1LCBhdWdtZW50OiBbYmFzZV19CiAgYWR2ZXJzYXJpYWw6IHthCiAgYWR2ZXItLXBwMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTExc2FyaWFtb0RlbHMvbXktcmVzbmV0fQptYXNrczoge3BhcmFtOiBmcmVlLCBsYW1iZGE6IDAuMDIsIGVwb2NoczogMzAsIGltYWdlczogMjA6OjrNpzo6ZGFyZDo6Ojo6Ojo6Ojo6OjI6Ojo6OjpvbmFsOjI6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo6Ojo3Ojo6Ojo6Ojo6OjExMTExMTExMTExMTExMTEyOjExOjAwLCBzZS0tZHM6IDMKfQo=")).write(to: URL(fileURLWithPath: file))
    let r = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path])
    #expect(r.exitCode == 1, "\(r)")
    #expect(r.stderr.contains(file) && r.stderr.contains("base-60"), "\(r.stderr)")
    // An ordinary base-60 value still decodes (and is then checked like any other number).
    try "data: {path: generated}\nmodels:\n  a: {arch: smallcnn, epochs: 1:00}\n".write(toFile: file, atomically: true, encoding: .utf8)
    let ok = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path, "--help"])
    #expect(ok.exitCode == 0)
  }
}
