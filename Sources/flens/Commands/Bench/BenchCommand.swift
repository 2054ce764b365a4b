import ArgumentParser

/// `flens bench WORKLOAD`: throughput of FourierLens's own code paths on a synthetic batch,
/// for benchmarks/bench/compare.sh (which runs the same computation in PyTorch alternately).
///
/// Every workload is a subcommand that calls the code the real commands run, not a copy of
/// it: `mask-step` is `MaskLearner`'s batch objective and optimiser update (through
/// `MaskOptimization`), `attack-step` the attack plugin's `perturb`, `train-step`
/// `TorchOptimizer.step` with the learning rate of `OneCycleSchedule` (what `TorchTrainer`
/// does per batch), `masked-forward` `MaskedClassifier`'s logits (what the probes use), `fft`
/// the frequency stage of a mask-learning step through `MaskOperator`. `gemm` measures
/// libtorch's float32 matrix product: the machine's peak. The workloads share their options
/// through the groups in BenchOptions.swift and print one `BenchResult`.
struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Measure the throughput of a workload (images/s), for comparisons with PyTorch.",
    discussion: """
      The model workloads use --model MODEL, or a freshly initialised --arch with --input \
      (seeded); images and labels are random (seeded). --warmup steps run untimed first \
      (plans, allocations), then --steps timed steps. JSON keys: images_per_s, \
      seconds_per_step, cpu_seconds_per_image, peak_rss_bytes, gflops (model FLOPs: forward, \
      plus the backward the workload runs), model_gflop_per_image, and for mask-step \
      frequency_seconds_per_step and frequency_fraction (the frequency stage timed alone, \
      alternating with the steps). --save-model writes the model used (for the PyTorch side); \
      --dump writes the batch and the first step's result so that another implementation can \
      check it computes the same.

      Examples:
        flens bench mask-step --arch smallcnn --input 3,32,32 --batch 128 --json
        flens bench fft --input 1,128,128 --batch 32 --threads 2
      """,
    subcommands: [
      MaskStepBench.self, AttackStepBench.self, TrainStepBench.self, FFTBench.self, MaskedForwardBench.self, GEMMBench.self,
    ])
}
