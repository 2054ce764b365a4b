import Foundation
import FourierLens
import FourierLensExperimentSpec
@testable import FourierLensExperiments
import Testing

/// What the Slurm executor asks sbatch for, without a cluster (the cluster runs are in
/// Tests/FlensCLITests/SlurmCommandTests.swift).
@Suite struct SlurmSubmissionTests {
  func executor(_ extra: String, options: (inout SlurmExecutor.Options) -> Void = { _ in }) throws -> SlurmExecutor {
    let text = ExperimentPlanTests.base + extra
    let plan = try ExperimentPlan(spec: ExperimentSpec.parse(text, file: "/x/exp.yaml"), specFile: "/x/exp.yaml", registry: PluginRegistry())
    var o = SlurmExecutor.Options(experimentFile: "/x/exp.yaml", flens: "/opt/it's/flens")
    options(&o)
    return SlurmExecutor(plan: plan, runDirectory: "/runs/t", options: o,
                         runner: ExperimentRunner(plan: plan, runDirectory: "/runs/t", registry: PluginRegistry(), quiet: true))
  }

  @Test func resourcesComeFromTheFileWithDefaultsPerKind() throws {
    let e = try executor("\nslurm: {partition: short, mask: {cpus: 3, mem: 512M}, train: {gpus: 1, time: \"1-00:00:00\"}}\n") {
      $0.extraOptions = ["account=lab", "exclusive"]
    }
    let mask = e.sbatchArguments(kind: .mask, name: "mask/x", log: "/l")
    #expect(mask.contains("--cpus-per-task=3") && mask.contains("--mem=512M") && mask.contains("--time=04:00:00"))
    #expect(!mask.contains { $0.hasPrefix("--gpus") })
    #expect(mask.contains("--partition=short") && mask.contains("--requeue") && mask.contains("--kill-on-invalid-dep=yes"))
    #expect(mask.suffix(2) == ["--account=lab", "--exclusive"])
    let train = e.sbatchArguments(kind: .train, name: "train/x", log: "/l")
    #expect(train.contains("--gpus=1") && train.contains("--time=1-00:00:00") && train.contains("--cpus-per-task=2"))
    let report = e.sbatchArguments(kind: .report, name: "report", log: "/l")
    #expect(report.contains("--cpus-per-task=1") && report.contains("--mem=2G"))
  }

  /// A `slurm:` section that omits any one resource of a kind gets that kind's default for it
  /// (the submission's resources are all present by type, none unwrapped).
  @Test func eachOmittedResourceTakesItsKindsDefault() throws {
    let given = ["cpus": "cpus: 3", "mem": "mem: 512M", "time": "time: \"01:00:00\"", "gpus": "gpus: 1"]
    let expected = ["cpus": "--cpus-per-task=3", "mem": "--mem=512M", "time": "--time=01:00:00", "gpus": "--gpus=1"]
    let defaults = ["cpus": "--cpus-per-task=2", "mem": "--mem=4G", "time": "--time=02:00:00"]
    for omitted in given.keys.sorted() {
      let section = given.filter { $0.key != omitted }.map(\.value).sorted().joined(separator: ", ")
      let e = try executor("\nslurm: {probe: {\(section)}}\n")
      let probe = e.sbatchArguments(kind: .probe, name: "probe/x", log: "/l")
      for (resource, argument) in expected where resource != omitted {
        #expect(probe.contains(argument), "omitting \(omitted): \(probe)")
      }
      if omitted == "gpus" {
        #expect(!probe.contains { $0.hasPrefix("--gpus") }, "\(probe)")
      } else {
        #expect(probe.contains(defaults[omitted] ?? ""), "omitting \(omitted): \(probe)")
      }
      if omitted == "cpus" { #expect(e.jobCommand(step: "probe/x", kind: .probe).hasSuffix("'--threads' '2'")) }
    }
  }

  @Test func theJobRunsThisFlensOnOneStepWithQuotedPaths() throws {
    let e = try executor("") { $0.pluginPaths = ["/p q"]; $0.partition = "cli" }
    let command = e.jobCommand(step: "mask-seed/standard/${SLURM_ARRAY_TASK_ID}", kind: .mask)
    #expect(command == #"exec '/opt/it'\''s/flens' 'run' '/x/exp.yaml' '--out' '/runs/t' '--step' "mask-seed/standard/${SLURM_ARRAY_TASK_ID}" '--plugin-path' '/p q' '--threads' '2'"#)
    #expect(e.sbatchArguments(kind: .mask, name: "m", log: "/l").contains("--partition=cli"))
  }

  @Test func badSlurmSettingsFailNamingTheKey() {
    for (yaml, key) in [("{mask: {mem: 4GB}}", "slurm.mask.mem"), ("{train: {time: \"2h\"}}", "slurm.train.time"),
                        ("{probe: {cpus: 0}}", "slurm.probe.cpus"), ("{report: {gpus: -1}}", "slurm.report.gpus"),
                        ("{shard_images: 0}", "slurm.shard_images")] {
      do {
        _ = try ExperimentSpec.parse(ExperimentPlanTests.base + "\nslurm: \(yaml)\n", file: "exp.yaml")
        Issue.record("\(yaml) was accepted")
      } catch {
        #expect("\(error)".hasPrefix("exp.yaml: \(key) must"), "\(error)")
      }
    }
  }

  /// Task t of a mask's shard array is shard t mod S of seed t div S: the job's shell works it out.
  @Test func shardTasksAreNumberedBySeedAndShard() throws {
    let task = SlurmExecutor.arrayTask(perSeed: 3)
    #expect(task(.maskShard("m", seed: 2, shard: 1)) == 7 && task(.maskSeed("m", 2)) == 2)
    let e = try executor("") { $0.flens = "/bin/echo" }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", e.jobCommand(step: SlurmExecutor.shardStep(of: "m", perSeed: 3), kind: .mask)]
    p.environment = ["SLURM_ARRAY_TASK_ID": "7"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(text.contains("--step mask-shard/m/2/1 "), "\(text)")
  }

  @Test func progressCountsStepsAndQueuedTasksWithARateAndAnETA() {
    var p = SlurmProgress(steps: 13, complete: 3, completeAtStart: 3, seconds: 5,
                          queuedStates: ["RUNNING", "PENDING", "PENDING", "REQUEUE_HOLD"])
    #expect(p.line == "3 of 13 steps done; jobs: 1 running, 2 pending, 1 requeued or held; ETA after the first step (5s elapsed)")
    let before = p
    p.seconds = 7
    #expect(!p.differs(from: before), "only the clock moved")
    // 4 steps in 2 minutes: 2 steps/min, 6 left: 3 minutes.
    (p.complete, p.seconds, p.queuedStates) = (7, 120, ["RUNNING"])
    #expect(p.differs(from: before))
    #expect(p.line == "7 of 13 steps done; jobs: 1 running, 0 pending; 2.0 steps/min, ETA 3m00s (2m00s elapsed)")
    (p.complete, p.queuedStates) = (13, [])
    #expect(p.line == "13 of 13 steps done; jobs: 0 running, 0 pending (2m00s elapsed)")
    #expect(SlurmProgress.duration(3725) == "1h02m")
  }
}
