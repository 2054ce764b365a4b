import Foundation
import FourierLens
import Testing

/// Ctrl-C (SIGINT): the run stops at the next step boundary, writes a checkpoint, says how
/// to resume and exits with status 130; `--resume` then finishes with exactly the result
/// of an uninterrupted run.
@Suite(.serialized) struct InterruptTests {
  /// Starts `flens`, waits (up to 5 minutes) until `ready()` holds, sends SIGINT and waits
  /// for the exit. Returns the exit status and stderr.
  static func interrupt(_ arguments: [String], when ready: () -> Bool) throws -> (status: Int32, stderr: String, ranToEnd: Bool) {
    let scratch = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: scratch) }
    let errURL = scratch.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let err = try FileHandle(forWritingTo: errURL)
    let p = Process()
    p.executableURL = try FlensCLI.binary()
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = err
    p.standardInput = FileHandle.nullDevice
    try p.run()
    let deadline = Date().addingTimeInterval(300)
    while p.isRunning && !ready() && Date() < deadline { usleep(20_000) }
    let ranToEnd = !p.isRunning
    if p.isRunning { kill(p.processIdentifier, SIGINT) }
    p.waitUntilExit()
    try err.close()
    return (p.terminationStatus, String(decoding: try Data(contentsOf: errURL), as: UTF8.self), ranToEnd)
  }

  @Test func learnMaskStopsAtAStepWithACheckpointAndResumesToTheSameMask() throws {
    let data = try StripesData.write(count: 64)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let reference = dir.appendingPathComponent("reference").path, stopped = dir.appendingPathComponent("stopped").path
    // Batches of 8: eight steps per epoch, so the stop lands inside an epoch most of the time.
    let common = ["learn-mask", "--model", model, "--data", data.path, "--epochs", "12", "--batch", "8",
                  "--patience", "12", "--seed", "5", "--threads", "2"]
    let ref = try FlensCLI.run(common + ["--out", reference])
    try #require(ref.exitCode == 0, "\(ref)")

    // Interrupt once the first epoch's checkpoint exists (the run is well under way).
    let r = try Self.interrupt(common + ["--out", stopped]) {
      FileManager.default.fileExists(atPath: MaskRunDirectory.checkpointFile(stopped))
    }
    try #require(!r.ranToEnd, "the run finished before it could be interrupted")
    #expect(r.status == 130, "exit \(r.status): \(r.stderr)")
    #expect(r.stderr.contains("interrupted") && r.stderr.contains("--resume") && r.stderr.contains(stopped + "/checkpoint.json"),
            "\(r.stderr)")
    let state = try #require(try MaskRunDirectory.readCheckpoint(stopped))
    #expect(!FileManager.default.fileExists(atPath: MaskRunDirectory.summaryFile(stopped)), "an interrupted run wrote its summary")
    print("learn-mask interrupted at epoch \(state.nextEpoch + 1), step \(state.stepInEpoch ?? 0) of 8")

    let resumed = try FlensCLI.run(common + ["--out", stopped, "--resume"])
    #expect(resumed.exitCode == 0, "\(resumed)")
    for f in ["mask.npy", "theta.npy"] {
      let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/" + f))
      let b = try Data(contentsOf: URL(fileURLWithPath: stopped + "/" + f))
      #expect(a == b, "\(f) after Ctrl-C and --resume differs from the uninterrupted run")
    }
    #expect(try MaskRunDirectory.read(stopped).summary.history.map(\.loss) == MaskRunDirectory.read(reference).summary.history.map(\.loss))
  }

  /// `flens run` catches the same `Interrupted` as `train` and says how it continues: by
  /// running the same command again (its steps resume from their checkpoints).
  @Test func runStopsWithTheTrainingCheckpointAndSaysToRunTheSameCommandAgain() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("exp.yaml").path, run = dir.appendingPathComponent("run").path
    try """
      data: {path: generated, size: 16, train_limit: 256, test_limit: 32}
      models: {standard: {arch: smallcnn, epochs: 40, batch: 8}}
      masks: {lambda: 0.1, epochs: 1, images: 16, batch: 16}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let r = try Self.interrupt(["run", file, "--out", run, "--threads", "2", "--quiet"]) {
      FileManager.default.fileExists(atPath: run + "/models/standard/checkpoint/state.json")
    }
    try #require(!r.ranToEnd, "the run finished before it could be interrupted")
    #expect(r.status == 130, "exit \(r.status): \(r.stderr)")
    #expect(r.stderr.contains("flens: interrupted after step") && r.stderr.contains(run + "/models/standard/checkpoint")
            && r.stderr.hasSuffix(": run the same command again to resume\n"), "\(r.stderr)")
  }

  @Test func trainStopsAfterAStepWithACheckpointAndResumesToTheSameModel() throws {
    let data = try StripesData.write(count: 64)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let reference = dir.appendingPathComponent("reference").path, stopped = dir.appendingPathComponent("stopped").path
    let common = ["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "6", "--batch", "8", "--lr", "0.05",
                  "--seed", "2", "--threads", "2", "--quiet"]
    let ref = try FlensCLI.run(common + ["--out", reference])
    try #require(ref.exitCode == 0, "\(ref)")

    let r = try Self.interrupt(common + ["--out", stopped]) {
      FileManager.default.fileExists(atPath: stopped + "/checkpoint/state.json")
    }
    try #require(!r.ranToEnd, "the run finished before it could be interrupted")
    #expect(r.status == 130, "exit \(r.status): \(r.stderr)")
    // Even with --quiet the user learns how to continue.
    #expect(r.stderr.contains("interrupted after step") && r.stderr.contains("--resume") && r.stderr.contains(stopped),
            "\(r.stderr)")
    let resumed = try FlensCLI.run(common + ["--out", stopped, "--resume"])
    #expect(resumed.exitCode == 0, "\(resumed)")
    let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/weights.pt"))
    let b = try Data(contentsOf: URL(fileURLWithPath: stopped + "/weights.pt"))
    #expect(a == b, "weights.pt after Ctrl-C and --resume differs from the uninterrupted run")
  }
}
