import Foundation

/// Which frequencies the loss is sensitive to: the magnitude spectrum of the input gradient
/// ∂L/∂x of the cross-entropy loss, per image, with respect to the pixel image (through the
/// mask when the context has one). A standard frequency-bias analysis (input-gradient or
/// Jacobian spectra) that complements the masks: a mask says which frequencies the network
/// needs, the gradient's spectrum where a small change of the input moves its loss.
///
/// Per image, |DFT(∂L/∂x)| of every channel (unshifted: zero frequency at [0, 0]) is averaged
/// over channels into one H×W plane, whose band measures (`BandMeasures`: radial and angular
/// profiles, low-frequency share, the grid-normalised profiles and anisotropy) are the
/// image's sample; the JSON has their mean over images with 95 % bootstrap intervals over
/// images. `gradient-spectrum.spectrum.npy` is the mean magnitude spectrum over images,
/// C×H×W, unshifted.
///
/// Checked against closed form: for a linear softmax model z = W·((x − μ)/σ) + b with two
/// classes, ∂L/∂x = (p₁ − y₁)(w₁ − w₀)/σ, so the mean spectrum is |DFT(w₁ − w₀)|/σ times
/// the mean of |p₁ − y₁| (`GradientSpectrumProbeTests`).
public struct GradientSpectrumProbe: Probe {
  public var radialBands: Int
  public var angularSectors: Int
  public var metric: RadiusMetric
  public var resamples: Int
  public var name: String { Self.kind.name }

  public init(radialBands: Int = 16, angularSectors: Int = 8, metric: RadiusMetric = .euclidean, resamples: Int = 2000) throws {
    try BandMeasures.checkSettings(radial: radialBands, angular: angularSectors, resamples: resamples, probe: Self.kind.name)
    self.radialBands = radialBands
    self.angularSectors = angularSectors
    self.metric = metric
    self.resamples = resamples
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let model: Classifier = try context.maskedModel() ?? context.model
    let n = context.dataset.info.count
    guard n > 0 else { throw FourierLensError.badOption(name: "--probe gradient-spectrum", reason: "needs at least one image") }
    let shape = context.dataset.info.shape
    let (c, h, w) = (shape[0], shape[1], shape[2])
    let plane = h * w
    var spectrumSum = [Double](repeating: 0, count: c * plane)
    var samples: [[Float]] = []
    let progress = ProgressReporter(label: "gradient-spectrum", total: n, quiet: !context.showsProgress)
    for start in stride(from: 0, to: n, by: context.batchSize) {
      let batch = try context.dataset.batch(Array(start..<min(n, start + context.batchSize)))
      // Weight 1 per image: each image's own ∂L_i/∂x_i, not the batch mean's share of it.
      let gradient = try model.lossAndGradient(batch.images, objective: .crossEntropy(labels: batch.labels),
                                               sampleWeights: [Float](repeating: 1, count: batch.count)).inputGradient
      let magnitude = try DFT2D.forward(gradient).magnitude
      for i in 0..<batch.count {
        var channelMean = [Float](repeating: 0, count: plane)
        for ch in 0..<c {
          let base = (i * c + ch) * plane
          for j in 0..<plane {
            let m = magnitude.data[base + j]
            spectrumSum[ch * plane + j] += Double(m)
            channelMean[j] += m / Float(c)
          }
        }
        samples.append(try BandMeasures(of: Tensor(shape: [h, w], data: channelMean), radial: radialBands,
                                        angular: angularSectors, metric: metric, transform: .dft).vector)
      }
      progress.advance(by: batch.count)
    }
    progress.finish()

    let mean = Bootstrap.mean(samples)
    let interval = Bootstrap.hierarchicalInterval([samples], resamples: resamples, seed: context.seed)
    var json: [String: JSONValue] = [
      "images": .number(Double(n)), "metric": .string(metric.rawValue), "transform": .string(TransformKind.dft.rawValue),
      "radial_bands": .number(Double(radialBands)), "angular_sectors": .number(Double(angularSectors)),
      "through_mask": .bool(context.mask != nil), "intervals_cover": .string("images"),
    ]
    var table = CSVTable(header: ["measure", "index", "value", "ci_low", "ci_high"])
    for part in BandMeasures.layout(radial: radialBands, angular: angularSectors) {
      json[part.measure.rawValue] = BandMeasures.json(mean, part)
      json[part.measure.rawValue + "_ci"] = BandMeasures.json(low: interval.low, high: interval.high, part)
      for (k, i) in part.range.enumerated() {
        table.append([part.measure.rawValue, "\(k)", "\(mean[i])", "\(interval.low[i])", "\(interval.high[i])"])
      }
    }
    let spectrum = Tensor(shape: [c, h, w], data: spectrumSum.map { Float($0 / Double(n)) })
    return ProbeOutput(json: .object(json), table: table, arrays: ["spectrum": spectrum])
  }
}

extension GradientSpectrumProbe {
  public static let kind = ProbeKind(
    name: "gradient-spectrum", summary: "magnitude spectrum of the loss's input gradient, with band energies and bootstrap intervals over images; through --mask when given",
    parameters: [
      .radialBands(default: 16),
      .angularSectors(default: 8),
      .radiusMetric,
    ]
  ) { a, _ in
    try GradientSpectrumProbe(radialBands: a.int("radial")!, angularSectors: a.int("angular")!,
                              metric: RadiusMetric(rawValue: a.text("metric")!)!)
  }
}
