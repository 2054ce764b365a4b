import Foundation
import FourierLens
import Testing

/// A run directory (and a `learn-mask` directory) is owned by one process at a time
/// (`DIR/.flens-lock`, an flock): a second run is refused at once naming the holder; the lock
/// dies with its process, so a run killed with SIGKILL leaves nothing to clean up and the
/// next run finishes with the bytes of an uninterrupted one.
@Suite(.serialized) struct RunDirectoryLockTests {
  /// One model on generated data: long enough (a few seconds) for a second run to meet it.
  static let experiment = """
    name: lock-test
    seed: 5
    threads: 1
    data: {path: generated, size: 16, train_limit: 256, test_limit: 32}
    models:
      standard: {arch: smallcnn, epochs: 3, batch: 16}
    masks: {lambda: 0.02, epochs: 3, images: 32, batch: 16}
    probes: {images: 16, run: [accuracy]}
    """

  static let comparedFiles = ["models/standard/weights.pt", "masks/standard/mask.npy", "masks/standard/theta.npy",
                              "probes/standard/accuracy.json"]

  /// Waits until `path` exists (the holder has taken its lock), at most `seconds`.
  static func waitFor(_ path: String, seconds: Double) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if let text = FileManager.default.contents(atPath: path), !text.isEmpty { return true }
      usleep(20_000)
    }
    return false
  }

  @Test(.timeLimit(.minutes(10)))
  func aSecondRunIsRefusedNamingTheHolderAndAKilledRunsLockIsTakenOver() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("experiment.yaml").path
    try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
    let reference = dir.appendingPathComponent("reference").path, run = dir.appendingPathComponent("run").path
    let uninterrupted = try FlensCLI.run(["run", file, "--out", reference, "--quiet"])
    try #require(uninterrupted.exitCode == 0, "\(uninterrupted)")

    let first = try KillResumeTests.start(["run", file, "--out", run, "--quiet"])
    try #require(Self.waitFor(run + "/.flens-lock", seconds: 30), "the first run never took its lock")
    // "At once": within a second of what starting flens takes now (on a loaded 2-core machine
    // the start alone can take more than a second).
    let startUp = try KillResumeTests.seconds { _ = try FlensCLI.run(["--version"]) }
    let start = Date()
    let second = try FlensCLI.run(["run", file, "--out", run, "--quiet"])
    let seconds = Date().timeIntervalSince(start)
    #expect(second.exitCode == 1, "\(second)")
    #expect(seconds < startUp + 1.0, "the second run took \(seconds) s to be refused (flens --version: \(startUp) s)")
    let line = second.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(!line.contains("\n"), "not one line: \(line)")
    #expect(line.contains(run) && line.contains("flens run") && line.contains("pid \(first.processIdentifier)")
            && line.contains(ProcessInfo.processInfo.hostName) && line.contains("started") && line.contains("stop it"), "\(line)")

    // The holder killed outright: its lock is gone with it, and the next run takes over.
    kill(first.processIdentifier, SIGKILL)
    first.waitUntilExit()
    let resumed = try FlensCLI.run(["run", file, "--out", run, "--quiet"])
    try #require(resumed.exitCode == 0, "\(resumed)")
    for name in Self.comparedFiles {
      #expect(FileManager.default.contents(atPath: run + "/" + name) == FileManager.default.contents(atPath: reference + "/" + name),
              "\(name) differs from the uninterrupted run")
    }
  }

  @Test func learnMaskRefusesADirectoryInUse() throws {
    let data = try StripesData.write(count: 32)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let out = dir.appendingPathComponent("mask").path
    let arguments = ["learn-mask", "--model", model, "--data", data.path, "--epochs", "200", "--batch", "8", "--patience", "200",
                     "--seed", "3", "--threads", "1", "--out", out]
    let first = try KillResumeTests.start(arguments)
    defer { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() }
    try #require(Self.waitFor(out + "/.flens-lock", seconds: 60), "the first learn-mask never took its lock")
    let second = try FlensCLI.run(arguments + ["--resume"])
    #expect(second.exitCode == 1 && second.stderr.contains("flens learn-mask (pid \(first.processIdentifier)"), "\(second)")
  }
}
