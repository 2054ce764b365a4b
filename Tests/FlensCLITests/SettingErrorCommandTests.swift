import Foundation
import Testing

/// One check in the core, two front ends: a bad setting is named where the user wrote it:
/// by its flag on the command line, by its key (and the file) in an experiment file.
@Suite struct SettingErrorCommandTests {
  @Test func theSameBadValueIsNamedByFlagOrByFileKey() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let cases: [(flags: [String], file: String, flagLine: String, fileLine: String)] = [
      (["--lambda=-1"], "masks: {lambda: -1}",
       "option --lambda: must be a finite number ≥ 0, got -1.0", "masks.lambda: must be a finite number ≥ 0, got -1.0"),
      (["--lambda", "0.1", "--accuracy-target", "2"], "masks: {lambda: 0.1, accuracy_target: 2}",
       "option --accuracy-target: must be in (0, 1], got 2.0", "masks.accuracy_target: must be in (0, 1], got 2.0"),
      (["--retention", "0.9", "--lambda-factor", "0.5"], "masks: {retention: [0.9], lambda_factor: 0.5}",
       "option --lambda-factor: must be > 1, got 0.5", "masks.lambda_factor: must be > 1, got 0.5"),
    ]
    for c in cases {
      let flag = try FlensCLI.run(["learn-mask", "--model", "/nonexistent-model", "--data", "/nonexistent-data",
                                   "--out", dir.appendingPathComponent("unused").path] + c.flags)
      #expect(flag.exitCode == 1 && flag.stderr == "flens: error: \(c.flagLine)\n", "\(c.flags): \(flag)")

      let file = dir.appendingPathComponent("bad.yaml").path
      try "data: {path: generated}\nmodels: {standard: {arch: smallcnn, epochs: 1}}\n\(c.file)\n"
        .write(toFile: file, atomically: true, encoding: .utf8)
      let run = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path])
      #expect(run.exitCode == 1 && run.stderr == "flens: error: \(file): \(c.fileLine)\n", "\(c.file): \(run)")
    }
    // Training settings: a model's key in the file.
    let file = dir.appendingPathComponent("train.yaml").path
    try "data: {path: generated}\nmodels: {standard: {arch: smallcnn, epochs: 1, batch: 1}}\nmasks: {lambda: 0.1}\n"
      .write(toFile: file, atomically: true, encoding: .utf8)
    let run = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path])
    #expect(run.stderr == "flens: error: \(file): models.standard.batch: must be at least 2 (BatchNorm needs two images), got 1\n",
            "\(run)")
    let train = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", "/nonexistent-data", "--epochs", "1", "--batch", "1",
                                  "--out", dir.appendingPathComponent("model").path])
    #expect(train.stderr == "flens: error: option --batch: must be at least 2 (BatchNorm needs two images), got 1\n", "\(train)")
  }
}
