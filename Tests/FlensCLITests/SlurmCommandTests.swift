import Foundation
import Testing

/// `flens run --executor slurm` on a real single-node Slurm cluster (Debian's slurmctld,
/// slurmd and munge, started by scripts/slurm-cluster.sh, which every test here runs first:
/// when the daemons cannot start, the tests fail with the script's message). The results
/// must be the bytes of a local run; a killed job resubmitted must finish with them too; a
/// failing job must be named with its log.
@Suite(.serialized) struct SlurmCommandTests {
  /// Two tiny models on generated data, masks of two seeds (a job array and a merge), probes.
  static let experiment = """
    name: slurm-test
    seed: 3
    threads: 1
    data: {path: generated, size: 16, train_limit: 256, test_limit: 64}
    models:
      standard: {arch: smallcnn, epochs: 2, batch: 32}
      wide: {arch: smallcnn, epochs: 2, batch: 32, lr: 0.05}
    masks: {lambda: 0.02, epochs: 3, images: 64, batch: 32, seeds: 2}
    probes: {images: 32, run: [accuracy, bands]}
    slurm: {train: {cpus: 1, mem: 512M}, mask: {cpus: 1, mem: 512M}, probe: {cpus: 1, mem: 512M}, report: {cpus: 1, mem: 512M}}
    """

  /// Files whose bytes must not depend on where the steps ran.
  static let comparedFiles = [
    "models/standard/weights.pt", "models/wide/weights.pt",
    "masks/standard/mask.npy", "masks/wide/mask.npy", "masks/standard/mask_std.npy",
    "masks/standard/seeds/0/mask.npy", "masks/standard/seeds/1/mask.npy", "masks/wide/seeds/1/theta.npy",
    "probes/standard/accuracy.json", "probes/wide/bands.csv",
  ]

  static func startCluster() throws {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = [FlensCLI.packageRoot.appendingPathComponent("scripts/slurm-cluster.sh").path, "start"]
    let err = Pipe()
    p.standardError = err
    try p.run()
    let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    try #require(p.terminationStatus == 0, "the Slurm test cluster did not start: \(message)")
  }

  static func shell(_ command: String) throws -> String {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", command]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    return text
  }

  /// The experiment file in a fresh directory, and a local run of it (once per process).
  static let local: Result<(dir: URL, file: String, run: String), Error> = Result {
    let dir = try FlensCLI.temporaryDirectory()
    let file = dir.appendingPathComponent("experiment.yaml").path
    try experiment.write(toFile: file, atomically: true, encoding: .utf8)
    let run = dir.appendingPathComponent("local").path
    let r = try FlensCLI.run(["run", file, "--out", run, "--quiet"], timeout: 900)
    guard r.exitCode == 0 else { throw FlensCLIError("local run failed: \(r)") }
    return (dir, file, run)
  }

  struct FlensCLIError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
  }

  /// Submits the experiment into a fresh run directory `name` without waiting; returns the
  /// experiment file, the run directory, the local run's directory and the 9 job ids.
  static func submitWithoutWaiting(into name: String) throws -> (String, String, String, [String]) {
    try startCluster()
    let (dir, file, reference) = try local.get()
    let run = dir.appendingPathComponent(name).path
    let first = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm"])
    try #require(first.exitCode == 0, "\(first)")
    let ids = first.stdout.split(separator: "\n").map(String.init)
    try #require(ids.count == 9, "\(first)")
    return (file, run, reference, ids)
  }

  func expectSameResults(_ run: String, as reference: String) throws {
    for file in Self.comparedFiles {
      let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/" + file))
      let b = FileManager.default.contents(atPath: run + "/" + file)
      #expect(b == a, "\(file) differs between the local run and the Slurm run (\(b?.count ?? -1) vs \(a.count) bytes)")
    }
    #expect(FileManager.default.fileExists(atPath: run + "/report/index.html"))
  }

  @Test func aSlurmRunEqualsTheLocalRunAndASecondSubmissionSubmitsNothing() throws {
    try Self.startCluster()
    let (dir, file, reference) = try Self.local.get()
    let run = dir.appendingPathComponent("slurm").path
    let r = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(r.exitCode == 0, "\(r)")
    #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run + "/report/index.html")
    // 2 trainings, per model a seed array and its merge, 2 probe steps and the report.
    let submitted = r.stderr.split(separator: "\n").filter { $0.contains("submitted as job") }
    #expect(submitted.count == 9, "\(r.stderr)")
    #expect(submitted.contains { $0.contains("mask-seeds/standard:") }, "\(r.stderr)")
    try expectSameResults(run, as: reference)

    let again = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm"])
    #expect(again.exitCode == 0 && !again.stderr.contains("submitted"), "\(again)")
    #expect(again.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == run + "/report/index.html")
  }

  @Test func aJobCancelledMidwayIsResubmittedAndFinishesWithTheSameResult() throws {
    let (file, run, reference, ids) = try Self.submitWithoutWaiting(into: "killed")
    // Submitting again while the jobs are queued or running submits nothing.
    let queued = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm"])
    #expect(queued.exitCode == 0 && !queued.stderr.contains("submitted as job"), "\(queued)")
    #expect(queued.stderr.contains("already queued as job"), "\(queued)")
    // Cancel the first of this run's jobs seen running, while it runs.
    var cancelled: String?
    let deadline = Date().addingTimeInterval(300)
    while cancelled == nil && Date() < deadline {
      let running = try Self.shell("squeue --noheader --states=RUNNING --format=%F").split(separator: "\n").map {
        $0.trimmingCharacters(in: .whitespaces)
      }
      if let id = ids.first(where: running.contains) {
        _ = try Self.shell("scancel \(id)")
        Thread.sleep(forTimeInterval: 1)
        // Counted only when Slurm stopped it while it ran (it may have finished first).
        let logs = try Self.shell("cat \(run)/.flens-slurm/logs/*-\(id)*.log")
        if logs.contains("CANCELLED AT") { cancelled = id }
      } else {
        Thread.sleep(forTimeInterval: 0.2)
      }
    }
    try #require(cancelled != nil, "no job of the run was seen running")
    // Let the queue drain: the cancelled job's dependants are cancelled by Slurm.
    while Date() < deadline {
      let queued = try Self.shell("squeue --noheader --format=%F").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
      if !ids.contains(where: queued.contains) { break }
      Thread.sleep(forTimeInterval: 1)
    }
    #expect(!FileManager.default.fileExists(atPath: run + "/report/index.html"), "the run finished although job \(cancelled!) was cancelled")
    let again = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(again.exitCode == 0, "\(again)")
    #expect(again.stderr.contains("submitted as job"), "nothing was resubmitted: \(again.stderr)")
    try expectSameResults(run, as: reference)
  }

  @Test func aFailingJobIsNamedWithItsLog() throws {
    try Self.startCluster()
    let (_, file, _) = try Self.local.get()
    let (pluginDir, _) = try HostilePluginCommandTests.build("FAIL_VJP")
    defer { try? FileManager.default.removeItem(atPath: pluginDir) }
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let failing = dir.appendingPathComponent("failing.yaml").path
    try (try String(contentsOfFile: file, encoding: .utf8))
      .replacingOccurrences(of: "masks: {lambda: 0.02,", with: "masks: {param: hostile, lambda: 0.02,")
      .replacingOccurrences(of: "seeds: 2}", with: "seeds: 1}")
      .write(toFile: failing, atomically: true, encoding: .utf8)
    let run = dir.appendingPathComponent("run").path
    let r = try FlensCLI.run(["run", failing, "--out", run, "--executor", "slurm", "--wait", "--plugin-path", pluginDir], timeout: 900)
    #expect(r.exitCode == 1, "\(r)")
    let line = r.stderr.split(separator: "\n").last { $0.hasPrefix("flens:") }.map(String.init) ?? ""
    #expect(line.contains("step mask/standard failed in Slurm job") && line.contains("step mask/wide failed"), "\(r.stderr)")
    #expect(line.contains("vjp refused on purpose"), "the job's error is not quoted: \(line)")
    // The named log exists and holds the job's error.
    let logs = line.components(separatedBy: "see ").dropFirst().map { String($0.prefix { $0 != " " }) }
    try #require(!logs.isEmpty, "\(line)")
    for log in logs {
      let text = try String(contentsOfFile: log, encoding: .utf8)
      #expect(text.contains("vjp refused on purpose"), "\(log): \(text)")
    }
  }

  /// A model given by a relative `path` is keyed by its resolved path: the submitter and the
  /// jobs (which get the experiment's absolute path) must agree, or a finished step would
  /// look unfinished and be submitted again.
  @Test func anExperimentOnALoadedModelIsCompleteAfterItsJobs() throws {
    try Self.startCluster()
    let (dir, _, _) = try Self.local.get()
    let file = dir.appendingPathComponent("loaded.yaml").path
    try """
      name: slurm-loaded
      threads: 1
      data: {path: generated, size: 16, train_limit: 64, test_limit: 64}
      models:
        imported: {path: local/models/standard}
      masks: {lambda: 0.02, epochs: 2, images: 32, batch: 32}
      slurm: {mask: {cpus: 1, mem: 512M}, report: {cpus: 1, mem: 512M}}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let run = dir.appendingPathComponent("loaded").path
    let r = try FlensCLI.run(["run", "loaded.yaml", "--out", "loaded", "--executor", "slurm", "--wait"], currentDirectory: dir, timeout: 600)
    try #require(r.exitCode == 0, "\(r)")
    #expect(r.stderr.split(separator: "\n").filter { $0.contains("submitted as job") }.count == 2, "\(r.stderr)")
    #expect(FileManager.default.fileExists(atPath: run + "/masks/imported/mask.npy"))
    let again = try FlensCLI.run(["run", "loaded.yaml", "--out", "loaded", "--executor", "slurm"], currentDirectory: dir)
    #expect(again.exitCode == 0 && !again.stderr.contains("submitted"), "\(again)")
  }

  /// Without Slurm's commands on the PATH the submission stops with one line saying so.
  @Test func withoutSlurmTheSubmissionSaysSo() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("experiment.yaml").path
    try Self.experiment.write(toFile: file, atomically: true, encoding: .utf8)
    let r = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path, "--executor", "slurm"],
                             environment: ["PATH": dir.path])
    #expect(r.exitCode == 1, "\(r)")
    #expect(r.stderr.contains("sbatch not found: is Slurm installed?"), "\(r.stderr)")
  }

  /// Jobs are submitted with --requeue: a job Slurm requeues while it runs (as on preemption
  /// or a node failure) runs again in the same run directory and the experiment finishes with
  /// the local run's bytes, without anything being submitted again.
  @Test func aJobRequeuedWhileRunningFinishesTheRunWithoutResubmission() throws {
    let (file, run, reference, ids) = try Self.submitWithoutWaiting(into: "requeued")
    let train = ids[0]  // train/standard, the first step
    let deadline = Date().addingTimeInterval(300)
    while Date() < deadline, try Self.shell("squeue --noheader --jobs=\(train) --format=%T").contains("PENDING") {
      Thread.sleep(forTimeInterval: 0.1)
    }
    _ = try Self.shell("scontrol requeue \(train)")
    // Slurm holds a requeued job back for two minutes; the test does not wait for that.
    Thread.sleep(forTimeInterval: 1)
    _ = try Self.shell("scontrol update jobid=\(train) starttime=now")
    let log = run + "/.flens-slurm/logs/train_standard-\(train).log"
    let waited = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(waited.exitCode == 0, "\(waited)")
    #expect(!waited.stderr.contains("submitted as job"), "\(waited.stderr)")
    let text = try String(contentsOfFile: log, encoding: .utf8)
    // Slurm's requeue notice, or (when the killed attempt left nothing in the log) the same job
    // id's training continuing from the killed attempt's checkpoint: it ran again.
    #expect(text.contains("DUE TO JOB REQUEUE") || text.contains("training smallcnn for 2 epochs (resuming)"),
            "job \(train) was not requeued: \(text)")
    try expectSameResults(run, as: reference)
  }

  /// Image-scope masks of 12 images, 2 seeds, shards of 4 images: one array of 2 × 3 tasks,
  /// each learning one shard, and the merge, which writes the local run's bytes and layout.
  @Test func imageMasksInShardsEqualTheLocalRun() throws {
    try Self.startCluster()
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("shards.yaml").path
    try """
      name: slurm-shards
      seed: 5
      threads: 1
      data: {path: generated, size: 16, train_limit: 128, test_limit: 32}
      models:
        standard: {arch: smallcnn, epochs: 1, batch: 32}
      masks: {scope: image, lambda: 0.07, epochs: 4, images: 12, batch: 4, seeds: 2}
      slurm: {shard_images: 4, train: {cpus: 1, mem: 512M}, mask: {cpus: 1, mem: 512M}, report: {cpus: 1, mem: 512M}}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let local = dir.appendingPathComponent("local").path, run = dir.appendingPathComponent("slurm").path
    let l = try FlensCLI.run(["run", file, "--out", local, "--quiet"], timeout: 600)
    try #require(l.exitCode == 0, "\(l)")
    let r = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(r.exitCode == 0, "\(r)")
    // train, the shard array, the merge and the report; the array ran 6 tasks, each with its log.
    let submitted = r.stderr.split(separator: "\n").filter { $0.contains("submitted as job") }
    #expect(submitted.count == 4, "\(r.stderr)")
    let array = try #require(submitted.first { $0.contains("mask-shards/standard:") }, "\(r.stderr)")
    let arrayID = String(array.split(separator: " ").drop { $0 != "job" }.dropFirst().first ?? "")
    let logs = (try? FileManager.default.contentsOfDirectory(atPath: run + "/.flens-slurm/logs")) ?? []
    #expect(Set(logs.filter { $0.hasPrefix("mask-shards_standard-\(arrayID)_") }) ==
            Set((0..<6).map { "mask-shards_standard-\(arrayID)_\($0).log" }), "\(logs)")
    for task in 0..<6 {
      let text = (try? String(contentsOfFile: run + "/.flens-slurm/logs/mask-shards_standard-\(arrayID)_\(task).log", encoding: .utf8)) ?? ""
      #expect(text.contains("mask standard seed \(task / 3) shard \(task % 3) (image chunks \(task % 3)–\(task % 3))"), "task \(task): \(text)")
    }
    // --wait showed progress from the queue and the step records.
    #expect(r.stderr.contains("steps done; jobs:") && r.stderr.contains("steps/min, ETA"), "\(r.stderr)")
    // The merged directory is the local one: the same files (no shard leftovers), the same bytes.
    let mask = "/masks/standard"
    let names = ImageChunkListing.files(under: local + mask)
    #expect(names.contains("seeds/1/mask.npy") && names.contains("mask.npy"), "\(names)")
    #expect(ImageChunkListing.files(under: run + mask) == names)
    for name in names {
      let a = FileManager.default.contents(atPath: local + mask + "/" + name)
      #expect(FileManager.default.contents(atPath: run + mask + "/" + name) == a, "\(name) differs from the local run")
    }
    #expect(FileManager.default.fileExists(atPath: run + "/report/index.html"))
  }
}

extension SlurmCommandTests {
  /// A shard task cancelled while it runs, after it kept its first chunk of images: the
  /// experiment resubmitted learns only the chunks not kept and ends with the local run's bytes.
  @Test func aShardCancelledAfterItsFirstChunkContinuesFromIt() throws {
    try Self.startCluster()
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("slow-shards.yaml").path
    // 16 images in chunks of 4, shards of 2 chunks; ~2 s per chunk on a loaded 2-core machine.
    try """
      name: slurm-slow-shards
      seed: 5
      threads: 1
      data: {path: generated, size: 16, train_limit: 128, test_limit: 32}
      models:
        standard: {arch: smallcnn, epochs: 1, batch: 32}
      masks: {scope: image, lambda: 0.07, epochs: 150, images: 16, batch: 4}
      slurm: {shard_images: 8, train: {cpus: 1, mem: 512M}, mask: {cpus: 1, mem: 512M}, report: {cpus: 1, mem: 512M}}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let local = dir.appendingPathComponent("local").path, run = dir.appendingPathComponent("slurm").path
    let l = try FlensCLI.run(["run", file, "--out", local, "--quiet"], timeout: 600)
    try #require(l.exitCode == 0, "\(l)")
    let first = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm"])
    try #require(first.exitCode == 0, "\(first)")
    let array = try #require(first.stderr.split(separator: "\n").first { $0.contains("mask-shards/standard:") }, "\(first.stderr)")
    let arrayID = String(array.split(separator: " ").drop { $0 != "job" }.dropFirst().first ?? "")
    // Cancel the array as soon as shard 0 kept its first chunk (chunk 0 of seed 5).
    let chunk = run + "/masks/standard/.image-chunks/seed-5/chunk-0.json"
    let deadline = Date().addingTimeInterval(300)
    while !FileManager.default.fileExists(atPath: chunk) && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    _ = try Self.shell("scancel \(arrayID)")
    while Date() < deadline, try Self.shell("squeue --noheader --format=%F").contains(arrayID) { Thread.sleep(forTimeInterval: 0.5) }
    let cancelledLog = run + "/.flens-slurm/logs/mask-shards_standard-\(arrayID)_0.log"
    let text = (try? String(contentsOfFile: cancelledLog, encoding: .utf8)) ?? ""
    try #require(text.contains("CANCELLED AT"), "shard 0 was not cancelled while it ran: \(text)")

    let again = try FlensCLI.run(["run", file, "--out", run, "--executor", "slurm", "--wait"], timeout: 900)
    try #require(again.exitCode == 0, "\(again)")
    let resubmitted = try #require(again.stderr.split(separator: "\n").first { $0.contains("mask-shards/standard: submitted as job") },
                                   "the shards were not resubmitted: \(again.stderr)")
    let newID = String(resubmitted.split(separator: " ").drop { $0 != "job" }.dropFirst().first ?? "")
    let resumed = (try? String(contentsOfFile: run + "/.flens-slurm/logs/mask-shards_standard-\(newID)_0.log", encoding: .utf8)) ?? ""
    #expect(resumed.contains("1 chunks learned, 1 already kept"), "shard 0 did not continue from its kept chunk: \(resumed)")
    let mask = "/masks/standard"
    let names = ImageChunkListing.files(under: local + mask)
    #expect(names.contains("mask.npy") && ImageChunkListing.files(under: run + mask) == names)
    for name in names {
      #expect(FileManager.default.contents(atPath: run + mask + "/" + name) == FileManager.default.contents(atPath: local + mask + "/" + name),
              "\(name) differs from the local run")
    }
  }
}

/// The files under a directory, hidden ones included, as relative paths.
enum ImageChunkListing {
  static func files(under dir: String) -> [String] {
    (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String] ?? []).filter {
      var isDirectory: ObjCBool = false
      return FileManager.default.fileExists(atPath: dir + "/" + $0, isDirectory: &isDirectory) && !isDirectory.boolValue
    }.sorted()
  }
}
