import Foundation
import Testing
@testable import FourierLens

/// The gradient spectrum against closed form: for a two-class linear softmax model
/// z = W·((x − μ)/σ) + b, ∂L/∂x = (p₁ − y₁)(w₁ − w₀)/σ per channel, so the mean magnitude
/// spectrum is mean|p₁ − y₁| · |DFT(w₁ − w₀)|/σ, here computed by a direct O(N²) DFT sum.
@Suite struct GradientSpectrumProbeTests {
  static let (c, h, w, n) = (2, 8, 8, 24)
  static let std: [Float] = [0.5, 0.25]

  static func problem() -> (LinearSoftmaxClassifier, InMemoryDataset, [Float]) {
    var rng = SeededGenerator(seed: 5)
    let d = c * h * w
    let weights = (0..<(2 * d)).map { _ in Double(rng.nextGaussian()) }
    let model = LinearSoftmaxClassifier(weights: weights, bias: [0.2, -0.1], input: [c, h, w], mean: [0.5, 0.4], std: std)
    let images = (0..<(n * d)).map { _ in rng.nextUniform() }
    let labels = (0..<n).map { $0 % 2 }
    let data = InMemoryDataset(batch: ImageBatch(images: Tensor(shape: [n, c, h, w], data: images), labels: labels,
                                                 classNames: ["a", "b"]), format: "test")
    return (model, data, images)
  }

  /// |Σ_{y,x} v[y,x] e^{−2πi(ky·y/H + kx·x/W)}| for every (ky, kx), unshifted.
  static func directDFTMagnitude(_ v: [Double]) -> [Double] {
    (0..<(h * w)).map { f in
      let (ky, kx) = (f / w, f % w)
      var re = 0.0, im = 0.0
      for y in 0..<h {
        for x in 0..<w {
          let angle = -2 * Double.pi * (Double(ky * y) / Double(h) + Double(kx * x) / Double(w))
          re += v[y * w + x] * cos(angle)
          im += v[y * w + x] * sin(angle)
        }
      }
      return (re * re + im * im).squareRoot()
    }
  }

  @Test func meanSpectrumIsTheWeightDifferencesSpectrumTimesTheMeanResidual() throws {
    let (model, data, _) = Self.problem()
    let out = try GradientSpectrumProbe(radialBands: 4, angularSectors: 4)
      .run(ProbeContext(model: model, dataset: data, batchSize: 7, showsProgress: false))
    let spectrum = try #require(out.arrays["spectrum"])
    #expect(spectrum.shape == [Self.c, Self.h, Self.w])
    // mean over images of |p₁ − y₁|, from the model's logits.
    let logits = try model.logits(data.batch.images)
    let residual = (0..<Self.n).map { i -> Double in
      let (z0, z1) = (Double(logits[2 * i]), Double(logits[2 * i + 1]))
      let p1 = 1 / (1 + exp(z0 - z1))
      return abs(p1 - Double(data.batch.labels[i]))
    }.reduce(0, +) / Double(Self.n)
    let plane = Self.h * Self.w, d = Self.c * plane
    for ch in 0..<Self.c {
      let difference = (0..<plane).map { j in model.weights[d + ch * plane + j] - model.weights[ch * plane + j] }
      let expected = Self.directDFTMagnitude(difference).map { residual * $0 / Double(Self.std[ch]) }
      let largest = expected.max()!
      for j in 0..<plane {
        let got = Double(spectrum.data[ch * plane + j])
        #expect(abs(got - expected[j]) <= 1e-4 * largest, "channel \(ch), frequency \(j): \(got) vs \(expected[j])")
      }
    }
    // Every image's spectrum has the same shape (a multiple of one plane), so the band
    // measures are those of that plane and their intervals over images collapse onto them.
    guard case .object(let json) = out.json, case .number(let share)? = json["low_frequency_share"],
          case .array(let ci)? = json["low_frequency_share_ci"] else { Issue.record("no low_frequency_share in \(out.json)"); return }
    var channelMean = [Float](repeating: 0, count: plane)
    for ch in 0..<Self.c {
      let difference = (0..<plane).map { j in model.weights[d + ch * plane + j] - model.weights[ch * plane + j] }
      for (j, m) in Self.directDFTMagnitude(difference).enumerated() { channelMean[j] += Float(m / Double(Self.std[ch])) }
    }
    let planeShare = try BandMeasures(of: Tensor(shape: [Self.h, Self.w], data: channelMean), radial: 4, angular: 4,
                                      metric: .euclidean, transform: .dft).lowFrequencyShare
    #expect(abs(share - Double(planeShare)) < 1e-4, "\(share) vs \(planeShare)")
    #expect(ci.count == 2 && ci.allSatisfy { if case .number(let v) = $0 { abs(v - share) < 1e-4 } else { false } }, "\(ci)")
    #expect(json["images"] == .number(Double(Self.n)) && json["through_mask"] == .bool(false) && json["intervals_cover"] == .string("images"))
  }

  /// Through a mask that removes one frequency (and its mirror), the gradient with respect
  /// to the pixel image has no energy there: ∂L/∂x = F⁻¹ M F (∂L/∂x̂).
  @Test func throughAMaskTheRemovedFrequencyHasNoGradient() throws {
    let (model, data, _) = Self.problem()
    var values = [Float](repeating: 1, count: Self.h * Self.w)
    let (fy, fx) = (1, 2)
    values[fy * Self.w + fx] = 0
    values[((Self.h - fy) % Self.h) * Self.w + (Self.w - fx) % Self.w] = 0
    let mask = ProbeTests.learnedMask(values)
    let out = try GradientSpectrumProbe(radialBands: 4, angularSectors: 4)
      .run(ProbeContext(model: model, dataset: data, mask: mask, batchSize: 8, showsProgress: false))
    let spectrum = try #require(out.arrays["spectrum"])
    let plane = Self.h * Self.w
    let largest = spectrum.data.max()!
    for ch in 0..<Self.c {
      #expect(spectrum.data[ch * plane + fy * Self.w + fx] < 1e-5 * largest)
      #expect(spectrum.data[ch * plane + fy * Self.w + fx + 1] > 1e-3 * largest, "a frequency the mask keeps")
    }
    guard case .object(let json) = out.json else { return }
    #expect(json["through_mask"] == .bool(true))
  }

  @Test func specsAreDeclaredAndChecked() throws {
    let kind = try #require(ProbeKind.named("gradient-spectrum"))
    #expect(kind.signature == "gradient-spectrum[:radial=16,angular=8,metric=euclidean]")
    #expect(throws: Never.self) { _ = try ProbeFactory.make("gradient-spectrum:radial=4", host: ProbeHost(registry: PluginRegistry())) }
    #expect(performing: { _ = try ProbeFactory.parse("gradient-spectrum:radius=4") }, throws: { "\($0)".contains("did you mean 'radial'?") })
  }
}
