/// What `flens bench --json` prints: one object, keys sorted; a key a workload does not
/// measure is absent (README: the JSON keys of `flens bench`).
struct BenchResult: Encodable {
  // Every workload.
  var workload: String
  var batch: Int
  var steps: Int
  var warmup: Int
  var threads: Int
  var fftwThreads: Int
  var peakRSSBytes: Int?
  var loadAverage: [Double]?
  // Timing (`record`).
  var seconds: Double?
  var secondsPerStep: Double?
  var bestSecondsPerStep: Double?
  var imagesPerSecond: Double?
  var cpuSecondsPerImage: Double?
  var modelGFLOPPerImage: Double?
  var gflops: Double?
  // gemm.
  var size: Int?
  var blas: String?
  var mkldnn: Bool?
  // fft and the model workloads.
  var input: [Int]?
  var transform: String?
  var checksum: Double?
  var device: String?
  var arch: String?
  var foldBatchnorm: Bool?
  // mask-step.
  var firstLoss: Double?
  var finalLoss: Double?
  var frequencySecondsPerStep: Double?
  var frequencyFraction: Double?
  var param: String?
  // attack-step.
  var attack: String?
  var gradientCalls: Int?
  // train-step.
  var lastLoss: Double?

  enum CodingKeys: String, CodingKey {
    case workload, batch, steps, warmup, threads, fftwThreads = "fftw_threads", peakRSSBytes = "peak_rss_bytes"
    case loadAverage = "load_average", seconds, secondsPerStep = "seconds_per_step"
    case bestSecondsPerStep = "best_seconds_per_step", imagesPerSecond = "images_per_s"
    case cpuSecondsPerImage = "cpu_seconds_per_image", modelGFLOPPerImage = "model_gflop_per_image", gflops
    case size, blas, mkldnn, input, transform, checksum, device, arch, foldBatchnorm = "fold_batchnorm"
    case firstLoss = "first_loss", finalLoss = "final_loss", frequencySecondsPerStep = "frequency_seconds_per_step"
    case frequencyFraction = "frequency_fraction", param, attack, gradientCalls = "gradient_calls", lastLoss = "last_loss"
  }
}
