import Foundation
import Testing
@testable import FourierLens

/// The `ablation` probe against a direct computation: a naive double-precision DFT removes
/// (or keeps) frequencies of the normalised input of a linear softmax model, the class
/// losses, rankings, top-k masks and the paper's TPR/FPR are computed from scratch and
/// must match the probe's.
@Suite struct FrequencyAblationProbeTests {
  static let (h, w, k, n) = (6, 6, 3, 30)
  static let mean: Float = 0.4, std: Float = 0.25

  /// The real image whose DFT is `x`'s restricted to the frequencies in `keep` (indices
  /// into the H×W unshifted plane), by the definition of the inverse DFT.
  static func restricted(_ x: [Double], to keep: Set<Int>) -> [Double] {
    (0..<(h * w)).map { p in
      let (py, px) = (p / w, p % w)
      var sum = 0.0
      for q in keep {
        let (ky, kx) = (q / w, q % w)
        var re = 0.0, im = 0.0
        for m in 0..<(h * w) {
          let angle = -2 * Double.pi * (Double(ky * (m / w)) / Double(h) + Double(kx * (m % w)) / Double(w))
          re += x[m] * cos(angle)
          im += x[m] * sin(angle)
        }
        let back = 2 * Double.pi * (Double(ky * py) / Double(h) + Double(kx * px) / Double(w))
        sum += re * cos(back) - im * sin(back)
      }
      return sum / Double(h * w)
    }
  }

  /// The model's logits for a normalised image.
  static func logits(_ model: LinearSoftmaxClassifier, normalised: [Double]) throws -> [Float] {
    try model.logits(Tensor(shape: [1, 1, h, w], data: normalised.map { Float($0 * Double(std) + Double(mean)) }))
  }

  @Test func lossIncreasesMasksAndRatesMatchADirectComputation() throws {
    var rng = SeededGenerator(seed: 11)
    let d = Self.h * Self.w
    let model = LinearSoftmaxClassifier(weights: (0..<(Self.k * d)).map { _ in Double(rng.nextGaussian()) },
                                        bias: [0.1, -0.2, 0.05], input: [1, Self.h, Self.w], mean: [Self.mean], std: [Self.std])
    let images = (0..<(Self.n * d)).map { _ in rng.nextUniform() }
    let labels = (0..<Self.n).map { $0 % Self.k }
    let data = InMemoryDataset(batch: ImageBatch(images: Tensor(shape: [Self.n, 1, Self.h, Self.w], data: images), labels: labels,
                                                 classNames: ["a", "b", "c"]), format: "test")
    let out = try FrequencyAblationProbe(percents: [10, 30]).run(ProbeContext(model: model, dataset: data, batchSize: 7, showsProgress: false))

    let normalised = (0..<Self.n).map { i in (0..<d).map { (Double(images[i * d + $0]) - Double(Self.mean)) / Double(Self.std) } }
    func ce(_ z: [Float], _ y: Int) -> Double {
      let m = Double(z.max()!)
      return log(z.reduce(0) { $0 + exp(Double($1) - m) }) + m - Double(z[y])
    }
    let clean = try (0..<Self.n).map { ce(try Self.logits(model, normalised: normalised[$0]), labels[$0]) }
    // Loss increase of every class for every frequency removed with its mirror.
    var expected = [Double](repeating: 0, count: Self.k * d)
    for f in 0..<d {
      let mirror = ((Self.h - f / Self.w) % Self.h) * Self.w + (Self.w - f % Self.w) % Self.w
      let keep = Set(0..<d).subtracting([f, mirror])
      var sums = [Double](repeating: 0, count: Self.k)
      for i in 0..<Self.n { sums[labels[i]] += ce(try Self.logits(model, normalised: Self.restricted(normalised[i], to: keep)), labels[i]) - clean[i] }
      for c in 0..<Self.k { expected[c * d + f] = sums[c] / Double(Self.n / Self.k) }
    }
    let increase = try #require(out.arrays["loss_increase"])
    #expect(increase.shape == [3, 6, 6])
    for j in 0..<expected.count {
      #expect(abs(Double(increase.data[j]) - expected[j]) <= 1e-4 * max(1, abs(expected[j])), "class \(j / d) frequency \(j % d)")
    }

    // Top-k masks (pairs ranked by their increase, kept together) and TPR/FPR through them.
    let masks = try #require(out.arrays["masks"])
    #expect(masks.shape == [2, 3, 6, 6])
    let tpr = try #require(out.json["tpr"]?.arrayValue), fpr = try #require(out.json["fpr"]?.arrayValue)
    for (p, percent) in [10.0, 30.0].enumerated() {
      for c in 0..<Self.k {
        var pairs: [[Int]] = []
        for f in 0..<d {
          let mirror = ((Self.h - f / Self.w) % Self.h) * Self.w + (Self.w - f % Self.w) % Self.w
          if mirror >= f { pairs.append(mirror == f ? [f] : [f, mirror]) }
        }
        pairs.sort { expected[c * d + $0[0]] > expected[c * d + $1[0]] }
        var keep = Set<Int>()
        for pair in pairs where keep.count < Int((percent / 100 * Double(d)).rounded()) { keep.formUnion(pair) }
        let probeMask = Set((0..<d).filter { masks.data[(p * Self.k + c) * d + $0] == 1 })
        #expect(probeMask == keep, "class \(c), top \(percent) %")
        var tp = 0, fp = 0
        for i in 0..<Self.n {
          let z = try Self.logits(model, normalised: Self.restricted(normalised[i], to: keep))
          guard z.firstIndex(of: z.max()!) == c else { continue }
          if labels[i] == c { tp += 1 } else { fp += 1 }
        }
        #expect(tpr[p].arrayValue?[c].doubleValue == Double(tp) / 10, "TPR of class \(c), top \(percent) %")
        #expect(fpr[p].arrayValue?[c].doubleValue == Double(fp) / 20, "FPR of class \(c), top \(percent) %")
      }
    }
  }

  @Test func badTopIsRefusedNamingTheProbe() {
    for text in ["ablation:top=0", "ablation:top=5|x", "ablation:top=101", "ablation:k=5"] {
      #expect(performing: { _ = try ProbeFactory.make(text, host: ProbeHost(registry: PluginRegistry())) }, throws: { "\($0)".contains("ablation") })
    }
  }
}
