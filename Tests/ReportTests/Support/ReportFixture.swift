import Foundation
@testable import FourierLens

/// Small, fully known inputs for report tests: mask directories written with
/// `MaskRunDirectory.write` from hand-made results, and probe outputs written as the
/// probes write them.
enum ReportFixture {
  static let size = 16

  /// Signed DFT frequency of unshifted index k of n (NumPy's fftfreq · n).
  static func signedFrequency(_ k: Int, _ n: Int) -> Int { k < (n + 1) / 2 ? k : k - n }

  /// An H×W mask in unshifted layout whose value depends only on the radius √(f_x² + f_y²).
  static func radialMask(_ h: Int = size, _ w: Int = size, _ f: (Double) -> Double) -> [Float] {
    var out = [Float](repeating: 0, count: h * w)
    for r in 0..<h {
      for c in 0..<w {
        let fy = Double(signedFrequency(r, h)), fx = Double(signedFrequency(c, w))
        out[r * w + c] = Float(f((fx * fx + fy * fy).squareRoot()))
      }
    }
    return out
  }

  /// The standard model's mask: high frequencies (radius > 4) kept, the rest at 0.2; `wobble` varies seeds.
  static func highPassMask(wobble: Double = 0) -> [Float] { radialMask { $0 > 4 ? 1 - wobble : 0.2 + wobble } }
  /// The adversarial model's mask: a Gaussian low-pass of width `sigma`.
  static func lowPassMask(sigma: Double = 3) -> [Float] { radialMask { exp(-($0 / sigma) * ($0 / sigma)) } }

  static func history(_ epochs: Int, finalSparsity: Float, maskedAccuracy: Float) -> [MaskEpochRecord] {
    (1...max(1, epochs)).map { e in
      let t = Float(e - 1) / Float(max(1, epochs - 1))
      let distortion = 0.4 * exp(-4 * t) + 1e-4
      let sparsity = 1 - (1 - finalSparsity) * t
      return MaskEpochRecord(epoch: e, learningRate: 0.01, dataTerm: exp(distortion), distortion: distortion, sparsity: sparsity,
                             loss: exp(distortion) + 0.02 * sparsity, maskedAccuracy: maskedAccuracy - 0.05 * (1 - t),
                             imagesPerSecond: 1000)
    }
  }

  /// Writes a `flens learn-mask` directory; `seedMasks` adds a `--seeds K` layout.
  @discardableResult
  static func writeMask(_ dir: String, mask: [Float], shape: [Int] = [size, size], maskCount: Int = 1,
                        transform: TransformKind = .dft, clean: Float, masked: Float, complementary: Float,
                        epochs: Int = 6, seedMasks: [[Float]]? = nil) throws -> MaskSummary {
    var config = MaskLearningConfig()
    config.transform = transform
    let sparsity = mask.reduce(0, +) / Float(mask.count)
    let result = MaskLearningResult(
      config: config, parameterization: "free", maskShape: shape, maskCount: maskCount, masks: mask, theta: mask,
      imageCount: 200, cleanAccuracy: clean, maskedAccuracy: masked, complementaryAccuracy: complementary,
      sparsity: sparsity, epochsRun: epochs, masksMeetingTarget: maskCount,
      history: history(epochs, finalSparsity: sparsity, maskedAccuracy: masked))
    var summary = MaskSummary(result: result, param: "free", model: dir + "/no-such-model", data: "fixture")
    if let seedMasks {
      var seeds: [MaskSummary.SeedSummary] = []
      for (k, m) in seedMasks.enumerated() {
        var r = result
        r.masks = m
        r.theta = m
        r.config.seed = UInt64(k)
        let s = MaskSummary(result: r, param: "free", model: summary.model, data: "fixture")
        try MaskRunDirectory.write(r, summary: s, to: MaskRunDirectory.seedDirectory(dir, k))
        seeds.append(.init(seed: UInt64(k), maskedAccuracy: masked, sparsity: m.reduce(0, +) / Float(m.count), epochsRun: epochs))
      }
      summary.seeds = seeds
    }
    try MaskRunDirectory.write(result, summary: summary, to: dir)
    return summary
  }

  static func writeJSON(_ object: Any, to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    try AtomicFile.write(data, to: path)
  }

  /// A centred heat map with a ring of high error rate.
  static func heatmap() -> [Float] {
    (0..<(size * size)).map { i in
      let r = Double(i / size - size / 2), c = Double(i % size - size / 2)
      return Float(0.1 + 0.7 * exp(-pow(((r * r + c * c).squareRoot() - 4) / 2, 2)))
    }
  }

  static func writeProbes(_ dir: String, clean: Double, robust: Double, heatmap: Bool, corruption: Bool) throws {
    try writeJSON(["clean_accuracy": clean, "masked_accuracy": clean - 0.01, "complementary_accuracy": 0.12, "count": 200],
                  to: dir + "/accuracy.json")
    try writeJSON(["attack": "pgd-linf:eps=0.03,steps=10", "summary": "PGD", "count": 200, "clean_accuracy": clean,
                   "robust_accuracy": robust, "masked_clean_accuracy": clean - 0.01, "masked_transfer_accuracy": 0.3,
                   "masked_adaptive_accuracy": robust * 0.5, "mean_perturbation_l2": 1.25, "max_perturbation_linf": 0.03],
                  to: dir + "/attack-pgd-linf.json")
    let bands = 4
    try writeJSON(["transform": "dft", "count": 200, "radial_bands": bands,
                   "lowpass_upper_radius": (1...bands).map { Double($0) / Double(bands) },
                   "lowpass_accuracy": [0.3, 0.5, 0.7, clean],
                   "highpass_lower_radius": (0..<bands).map { Double($0) / Double(bands) },
                   "highpass_accuracy": [clean, 0.4, 0.2, 0.1],
                   "sector_start_deg": [0.0, 45, 90, 135], "sector_only_accuracy": [0.4, 0.3, 0.35, 0.3],
                   "sector_removed_accuracy": [0.6, 0.7, 0.65, 0.7], "radius_unit": "fraction"],
                  to: dir + "/passband.json")
    if heatmap {
      try NPY.write(Tensor(shape: [size, size], data: Self.heatmap()), to: dir + "/heatmap.error.npy")
      try writeJSON(["eps": 4, "count": 200, "through_mask": false, "mean_error_rate": 0.25], to: dir + "/heatmap.json")
    }
    if corruption {
      try writeJSON(["corruption": "noise", "count": 200, "severities": [
        ["severity": "sigma=0.02", "accuracy": clean - 0.05, "masked_accuracy": clean - 0.04],
        ["severity": "sigma=0.05", "accuracy": clean - 0.2, "masked_accuracy": clean - 0.15],
        ["severity": "sigma=0.1", "accuracy": clean - 0.4, "masked_accuracy": clean - 0.3],
      ]], to: dir + "/corruption-noise.json")
    }
  }

  /// An RGB PNG of two rows of 4 small images (originals over masked), as learn-mask writes.
  static func writeExamples(_ path: String) throws {
    let w = 4 * 16, h = 2 * 16
    var pixels = [UInt8](repeating: 0, count: 3 * w * h)
    for y in 0..<h {
      for x in 0..<w {
        let i = 3 * (y * w + x)
        pixels[i] = UInt8((x * 4) % 256)
        pixels[i + 1] = UInt8((y * 8) % 256)
        pixels[i + 2] = y < 16 ? 200 : 60
      }
    }
    try PNGCodec.write(pixels: pixels, width: w, height: h, channels: 3, to: path)
  }

  /// An experiment run directory with two models: `standard` (one mask, every probe,
  /// examples.png, model.json) and `adversarial` (three seeds; no heat map or corruption probe).
  struct Experiment {
    var root: String
    var standardMask: [Float]
    var adversarialSeeds: [[Float]]
    var adversarialMask: [Float]
  }

  @discardableResult
  static func experiment(at root: String) throws -> Experiment {
    let standard = highPassMask()
    try writeMask(root + "/masks/standard", mask: standard, clean: 0.875, masked: 0.8675, complementary: 0.125)
    try writeExamples(root + "/masks/standard/examples.png")
    let seeds = [lowPassMask(sigma: 2.5), lowPassMask(sigma: 3), lowPassMask(sigma: 3.5)]
    let adversarial = lowPassMask(sigma: 3)
    try writeMask(root + "/masks/adversarial", mask: adversarial, clean: 0.6, masked: 0.595, complementary: 0.1, epochs: 9,
                  seedMasks: seeds)
    try writeProbes(root + "/probes/standard", clean: 0.86, robust: 0.02, heatmap: true, corruption: true)
    try writeProbes(root + "/probes/adversarial", clean: 0.58, robust: 0.41, heatmap: false, corruption: false)
    let description = ModelDescription(arch: "smallcnn", input: [1, size, size], mean: [0.5], std: [0.25],
                                       classes: ["a", "b"], training: TrainingRecord(other: ["kind": "standard"]))
    try AtomicFile.writeJSON(description, to: root + "/models/standard/model.json")
    return Experiment(root: root, standardMask: standard, adversarialSeeds: seeds, adversarialMask: adversarial)
  }

  static func temporaryDirectory() throws -> String {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("flens-report-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url.path
  }
}
