import Foundation
import FourierLens
import Testing

/// `seeds: K` models through `--executor slurm`, with stand-ins for `sbatch` and `squeue`
/// (the real-cluster runs are in SlurmCommandTests): every network's steps are jobs of
/// their own, and each job waits for exactly the jobs of the steps it reads.
@Suite struct NetworkSeedsSlurmCommandTests {
  @Test func everyNetworkIsAJobChainAndTheReportWaitsForAllOfThem() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let bin = dir.appendingPathComponent("bin").path, calls = dir.appendingPathComponent("sbatch.log").path
    try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
    // sbatch: one line per call (its arguments, tab-separated), job ids 100, 101, …
    try """
      #!/bin/sh
      n=$(wc -l < "\(calls)" 2>/dev/null || echo 0)
      printf '%s\\t' "$@" >> "\(calls)"; echo >> "\(calls)"
      echo $((100 + n))
      """.write(toFile: bin + "/sbatch", atomically: true, encoding: .utf8)
    try "#!/bin/sh\nexit 0\n".write(toFile: bin + "/squeue", atomically: true, encoding: .utf8)
    for tool in ["sbatch", "squeue"] { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/" + tool) }
    let file = dir.appendingPathComponent("exp.yaml").path
    try """
      name: nets
      data: {path: generated, size: 16, train_limit: 64, test_limit: 32}
      models:
        standard: {arch: smallcnn, epochs: 1, batch: 32, seeds: 2}
        robust: {arch: smallcnn, epochs: 1, batch: 32, lr: 0.02}
      masks: {lambda: 0.02, epochs: 2, images: 32, seeds: 2}
      probes: {images: 32, run: [bands]}
      """.write(toFile: file, atomically: true, encoding: .utf8)
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    let r = try FlensCLI.run(["run", file, "--out", dir.appendingPathComponent("run").path, "--executor", "slurm"],
                             environment: ["PATH": path])
    #expect(r.exitCode == 0, "\(r)")
    // unit → (job id, the job ids it waits for)
    var jobs: [String: (id: Int, after: Set<Int>)] = [:]
    let lines = try String(contentsOfFile: calls, encoding: .utf8).split(separator: "\n")
    for (n, line) in lines.enumerated() {
      let arguments = line.split(separator: "\t").map(String.init)
      let unit = try #require(arguments.first { $0.hasPrefix("--job-name=") }).split(separator: ":").dropFirst(2).joined(separator: ":")
      let after = arguments.first { $0.hasPrefix("--dependency=afterok:") }
        .map { Set($0.dropFirst("--dependency=afterok:".count).split(separator: ":").compactMap { Int($0) }) } ?? []
      jobs[unit] = (100 + n, after)
    }
    func id(_ unit: String) throws -> Int { try #require(jobs[unit]?.id, "no job \(unit) in \(jobs.keys.sorted())") }
    #expect(Set(jobs.keys) == ["train/robust", "train/standard@0", "train/standard@1",
                               "mask-seeds/robust", "mask-seeds/standard@0", "mask-seeds/standard@1",
                               "mask/robust", "mask/standard@0", "mask/standard@1",
                               "probe/robust", "probe/standard@0", "probe/standard@1", "report"])
    #expect(jobs["train/standard@1"]?.after == [])
    #expect(jobs["mask-seeds/standard@1"]?.after == [try id("train/standard@1")])
    #expect(jobs["mask/standard@1"]?.after == [try id("train/standard@1"), try id("mask-seeds/standard@1")])
    // Every network is probed against the baseline's network 0.
    #expect(jobs["probe/standard@1"]?.after == [try id("train/standard@1"), try id("mask/standard@1"), try id("mask/standard@0")])
    #expect(jobs["probe/robust"]?.after == [try id("train/robust"), try id("mask/robust"), try id("mask/standard@0")])
    #expect(jobs["report"]?.after == [try id("probe/robust"), try id("probe/standard@0"), try id("probe/standard@1")])
  }
}
