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
    let mask = e.sbatchArguments(kind: "mask", name: "mask/x", log: "/l")
    #expect(mask.contains("--cpus-per-task=3") && mask.contains("--mem=512M") && mask.contains("--time=04:00:00"))
    #expect(!mask.contains { $0.hasPrefix("--gpus") })
    #expect(mask.contains("--partition=short") && mask.contains("--requeue") && mask.contains("--kill-on-invalid-dep=yes"))
    #expect(mask.suffix(2) == ["--account=lab", "--exclusive"])
    let train = e.sbatchArguments(kind: "train", name: "train/x", log: "/l")
    #expect(train.contains("--gpus=1") && train.contains("--time=1-00:00:00") && train.contains("--cpus-per-task=2"))
    let report = e.sbatchArguments(kind: "report", name: "report", log: "/l")
    #expect(report.contains("--cpus-per-task=1") && report.contains("--mem=2G"))
  }

  @Test func theJobRunsThisFlensOnOneStepWithQuotedPaths() throws {
    let e = try executor("") { $0.pluginPaths = ["/p q"]; $0.partition = "cli" }
    let command = e.jobCommand(step: "mask-seed/standard/${SLURM_ARRAY_TASK_ID}", kind: "mask")
    #expect(command == #"exec '/opt/it'\''s/flens' 'run' '/x/exp.yaml' '--out' '/runs/t' '--step' "mask-seed/standard/${SLURM_ARRAY_TASK_ID}" '--plugin-path' '/p q' '--threads' '2'"#)
    #expect(e.sbatchArguments(kind: "mask", name: "m", log: "/l").contains("--partition=cli"))
  }

  @Test func badSlurmSettingsFailNamingTheKey() {
    for (yaml, key) in [("{mask: {mem: 4GB}}", "slurm.mask.mem"), ("{train: {time: \"2h\"}}", "slurm.train.time"),
                        ("{probe: {cpus: 0}}", "slurm.probe.cpus"), ("{report: {gpus: -1}}", "slurm.report.gpus")] {
      do {
        _ = try ExperimentSpec.parse(ExperimentPlanTests.base + "\nslurm: \(yaml)\n", file: "exp.yaml")
        Issue.record("\(yaml) was accepted")
      } catch {
        #expect("\(error)".hasPrefix("exp.yaml: \(key) must"), "\(error)")
      }
    }
  }
}
