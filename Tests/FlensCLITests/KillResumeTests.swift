import Foundation
import FourierLens
import Testing

/// SIGKILL at random moments, then `--resume`: the final model or mask must be
/// bit-identical to the one of an uninterrupted run with the same seed, and no kill may
/// leave a truncated or half-written file behind (every output is written to a temporary
/// name and renamed).
///
/// The kill times are drawn from a seeded generator, uniformly between 0 and the duration
/// of the uninterrupted run measured on this machine, so kills land during start-up, in
/// the middle of steps and while checkpoints are written. When a run gets to finish, its
/// result is compared with the reference and the next cycle starts from an empty
/// directory, until the required number of kills is reached. No assertion depends on
/// timing: a kill that happens to land after the process finished is simply not counted.
@Suite(.serialized) struct KillResumeTests {
  static let requiredKills = Int(ProcessInfo.processInfo.environment["FLENS_KILL_COUNT"] ?? "") ?? 20

  /// Runs `flens` in the background with its output discarded.
  static func start(_ arguments: [String]) throws -> Process {
    let p = Process()
    p.executableURL = try FlensCLI.binary()
    p.arguments = arguments
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    p.standardInput = FileHandle.nullDevice
    try p.run()
    return p
  }

  struct Stats: CustomStringConvertible {
    var kills = 0
    var completedCycles = 0
    var attempts = 0
    var description: String { "\(kills) SIGKILLs over \(attempts) runs, \(completedCycles) resumed runs completed and compared" }
  }

  /// Kills and resumes `arguments` (which must write to `out`) until `requiredKills` kills
  /// have hit a running process; after every kill `checkConsistent(out)` runs, and every run
  /// that completes is handed to `compare(out)`. Ends with at least one completed cycle.
  /// `resume` is what continues a killed run (`flens run` needs nothing: the same command resumes).
  static func killAndResume(_ arguments: [String], out: String, referenceSeconds: Double, kills requiredKills: Int = requiredKills,
                            resume: [String] = ["--resume"],
                            checkConsistent: (String) throws -> Void, compare: (String) throws -> Void) throws -> Stats {
    var rng = SeededGenerator(seed: 2024)
    var stats = Stats()
    var fresh = true
    while stats.kills < requiredKills || fresh == false {
      stats.attempts += 1
      let args = fresh ? arguments : arguments + resume
      let limitReached = stats.kills >= requiredKills
      let p = try start(args)
      if !limitReached {
        let delay = Double(rng.nextUniform()) * referenceSeconds
        usleep(UInt32(delay * 1e6))
        kill(p.processIdentifier, SIGKILL)
      }
      p.waitUntilExit()
      if p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGKILL {
        stats.kills += 1
        fresh = false
        try checkConsistent(out)
        continue
      }
      #expect(p.terminationStatus == 0, "run \(stats.attempts) (\(args.joined(separator: " "))) exited \(p.terminationStatus)")
      guard p.terminationStatus == 0 else { return stats }
      try checkConsistent(out)
      try compare(out)
      stats.completedCycles += 1
      try? FileManager.default.removeItem(atPath: out)
      fresh = true
      if stats.kills >= requiredKills { break }
    }
    return stats
  }

  /// Names of temporary files that a killed writer may leave (`.NAME.tmp-PID-N`).
  static func temporaries(in dir: String) -> [String] {
    let all = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []
    return all.filter { ($0 as NSString).lastPathComponent.contains(".tmp-") }
  }

  /// A libtorch `.pt` file is a zip archive: complete when it ends with an end-of-central-directory record.
  static func isCompleteZip(_ path: String) -> Bool {
    guard let data = FileManager.default.contents(atPath: path), data.count >= 22 else { return false }
    let tail = [UInt8](data.suffix(min(data.count, 65_557)))
    for i in stride(from: tail.count - 22, through: 0, by: -1)
    where tail[i] == 0x50 && tail[i + 1] == 0x4B && tail[i + 2] == 0x05 && tail[i + 3] == 0x06 {
      return true
    }
    return false
  }

  static func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
  }

  @Test(.timeLimit(.minutes(10)))
  func trainKilledAtRandomAndResumedGivesTheSameModel() throws {
    let data = try StripesData.write(count: 64)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let reference = dir.appendingPathComponent("reference").path, killed = dir.appendingPathComponent("killed").path
    let common = ["train", "--arch", "smallcnn", "--data", data.path, "--epochs", "3", "--batch", "8", "--lr", "0.05",
                  "--seed", "7", "--threads", "2", "--checkpoint-every", "1", "--quiet"]
    var first: FlensCLI.Output?
    let t = try Self.seconds { first = try FlensCLI.run(common + ["--out", reference]) }
    try #require(first?.exitCode == 0, "the uninterrupted reference run failed: \(first.map(String.init(describing:)) ?? "")")
    let referenceWeights = try Data(contentsOf: URL(fileURLWithPath: reference + "/weights.pt"))
    let referenceDescription = try Data(contentsOf: URL(fileURLWithPath: reference + "/model.json"))

    let stats = try Self.killAndResume(common + ["--out", killed], out: killed, referenceSeconds: t, checkConsistent: { out in
      // model.json, when present, is a valid description and its weights are complete.
      if FileManager.default.fileExists(atPath: out + "/model.json") {
        let d = try JSONDecoder().decode(ModelDescription.self, from: Data(contentsOf: URL(fileURLWithPath: out + "/model.json")))
        #expect(d.arch == "smallcnn")
        #expect(Self.isCompleteZip(out + "/weights.pt"), "model.json without complete weights.pt after a kill")
      }
      // The checkpoint state, when present, names complete weight and optimizer files.
      let state = out + "/checkpoint/state.json"
      if FileManager.default.fileExists(atPath: state) {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state))) as? [String: Any]
        let weights = try #require(json?["weightsFile"] as? String), optimizer = try #require(json?["optimizerFile"] as? String)
        #expect(Self.isCompleteZip(out + "/checkpoint/" + weights), "checkpoint names an incomplete \(weights)")
        #expect(Self.isCompleteZip(out + "/checkpoint/" + optimizer), "checkpoint names an incomplete \(optimizer)")
      }
    }, compare: { out in
      let weights = try Data(contentsOf: URL(fileURLWithPath: out + "/weights.pt"))
      let description = try Data(contentsOf: URL(fileURLWithPath: out + "/model.json"))
      #expect(weights == referenceWeights, "weights.pt after kills and resumes differs from the uninterrupted run")
      #expect(description == referenceDescription)
      #expect(Self.temporaries(in: out).isEmpty, "temporary files left behind: \(Self.temporaries(in: out))")
    })
    print("train kill-and-resume: \(stats) (reference run \(String(format: "%.1f", t)) s)")
    #expect(stats.kills >= Self.requiredKills)
    #expect(stats.completedCycles >= 1)
  }

  @Test(.timeLimit(.minutes(10)))
  func learnMaskKilledAtRandomAndResumedGivesTheSameMask() throws {
    let data = try StripesData.write(count: 64)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try MaskPipelineCommandTests.trainedModel(data: data, in: dir)
    let reference = dir.appendingPathComponent("reference").path, killed = dir.appendingPathComponent("killed").path
    let common = ["learn-mask", "--model", model, "--data", data.path, "--epochs", "12", "--batch", "16",
                  "--patience", "12", "--seed", "3", "--threads", "2"]
    var first: FlensCLI.Output?
    let t = try Self.seconds { first = try FlensCLI.run(common + ["--out", reference]) }
    try #require(first?.exitCode == 0, "the uninterrupted reference run failed: \(first.map(String.init(describing:)) ?? "")")
    let files = ["mask.npy", "theta.npy"]
    let expected = try files.map { try Data(contentsOf: URL(fileURLWithPath: reference + "/" + $0)) }
    let referenceSummary = try MaskRunDirectory.read(reference).summary

    let stats = try Self.killAndResume(common + ["--out", killed], out: killed, referenceSeconds: t, checkConsistent: { out in
      if let state = try MaskRunDirectory.readCheckpoint(out) {  // throws on a corrupt checkpoint
        #expect(state.theta.count == 64 && state.nextEpoch <= 12)
      }
      // A summary means a complete directory: every file it describes is there and whole.
      if FileManager.default.fileExists(atPath: out + "/summary.json") {
        let done = try MaskRunDirectory.read(out)
        #expect(done.allValues.count == 64)
        for f in ["theta.npy", "history.csv", "mask.png", "examples.png"] {
          #expect(FileManager.default.fileExists(atPath: out + "/" + f), "summary.json written before \(f)")
        }
        _ = try NPY.read(out + "/theta.npy")
        _ = try PNGCodec.read(out + "/mask.png")
      } else if FileManager.default.fileExists(atPath: out + "/mask.npy") {
        _ = try NPY.read(out + "/mask.npy")
      }
    }, compare: { out in
      for (f, bytes) in zip(files, expected) {
        let got = try Data(contentsOf: URL(fileURLWithPath: out + "/" + f))
        #expect(got == bytes, "\(f) differs from the uninterrupted run")
      }
      let s = try MaskRunDirectory.read(out).summary
      #expect(s.epochsRun == referenceSummary.epochsRun && s.maskedAccuracy == referenceSummary.maskedAccuracy
              && s.sparsity == referenceSummary.sparsity && s.history.map(\.loss) == referenceSummary.history.map(\.loss))
      #expect(!FileManager.default.fileExists(atPath: MaskRunDirectory.checkpointFile(out)))
      #expect(Self.temporaries(in: out).isEmpty, "temporary files left behind: \(Self.temporaries(in: out))")
    })
    print("learn-mask kill-and-resume: \(stats) (reference run \(String(format: "%.1f", t)) s)")
    #expect(stats.kills >= Self.requiredKills)
    #expect(stats.completedCycles >= 1)
  }
}
