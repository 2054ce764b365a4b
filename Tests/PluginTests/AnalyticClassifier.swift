import Foundation
@testable import FourierLens

/// A linear softmax classifier z = W·((x − mean)/std) + b with exact input gradients for
/// cross-entropy and the logit margin: an analytic stand-in for a trained network, so
/// attack tests measure the plugins, not a backend. `fitted` builds the Bayes-style
/// linear classifier (nearest class mean in normalised space) from labelled samples.
final class AnalyticClassifier: Classifier, Sendable {
  let description: ModelDescription
  /// [K, D], on normalised inputs.
  let weights: [Double]
  let bias: [Double]

  init(weights: [Double], bias: [Double], input: [Int], mean: [Float], std: [Float]) {
    self.weights = weights
    self.bias = bias
    description = ModelDescription(arch: "linear", input: input, mean: mean, std: std,
                                   classes: (0..<bias.count).map { "c\($0)" })
  }

  /// w_k = ν_k, b_k = −‖ν_k‖²/2 with ν_k the class means of the normalised samples:
  /// the nearest-mean rule, optimal for equal isotropic class noise.
  static func fitted(_ batch: ImageBatch, classes: Int, mean: [Float], std: [Float]) -> AnalyticClassifier {
    let d = batch.imageShape.reduce(1, *), plane = batch.height * batch.width
    var sums = [Double](repeating: 0, count: classes * d), counts = [Double](repeating: 0, count: classes)
    for i in 0..<batch.count {
      let y = batch.labels[i]
      counts[y] += 1
      for j in 0..<d {
        let c = j / plane
        sums[y * d + j] += (Double(batch.images.data[i * d + j]) - Double(mean[c])) / Double(std[c])
      }
    }
    var w = [Double](repeating: 0, count: classes * d), b = [Double](repeating: 0, count: classes)
    for k in 0..<classes {
      for j in 0..<d { w[k * d + j] = sums[k * d + j] / max(1, counts[k]) }
      b[k] = -0.5 * (0..<d).reduce(0.0) { $0 + w[k * d + $1] * w[k * d + $1] }
    }
    return AnalyticClassifier(weights: w, bias: b, input: batch.imageShape, mean: mean, std: std)
  }

  private var dimension: Int { description.input.reduce(1, *) }
  private var plane: Int { description.input[1] * description.input[2] }

  func logits(_ input: Tensor) throws -> [Float] {
    guard input.rank == 4, Array(input.shape.dropFirst()) == description.input else {
      throw FourierLensError.shapeMismatch("analytic classifier takes [N] + \(description.input), got \(input.shape)")
    }
    let n = input.shape[0], k = bias.count, d = dimension, plane = plane
    var out = [Float](repeating: 0, count: n * k)
    for i in 0..<n {
      for j in 0..<k {
        var s = bias[j]
        for t in 0..<d {
          let c = t / plane
          s += weights[j * d + t] * (Double(input.data[i * d + t]) - Double(description.mean[c])) / Double(description.std[c])
        }
        out[i * k + j] = Float(s)
      }
    }
    return out
  }

  func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    let n = input.shape[0], k = bias.count, d = dimension, plane = plane
    let z = try logits(input)
    var losses = [Double](repeating: 0, count: n), grad = [Float](repeating: 0, count: input.count)
    for i in 0..<n {
      // Coefficient of each class row in ∂loss/∂(normalised input).
      var coefficient = [Double](repeating: 0, count: k)
      switch objective {
      case .crossEntropy(let labels):
        let row = (0..<k).map { Double(z[i * k + $0]) }
        let m = row.max()!
        let e = row.map { exp($0 - m) }
        let s = e.reduce(0, +)
        losses[i] = log(s) + m - row[labels[i]]
        for j in 0..<k { coefficient[j] = e[j] / s - (j == labels[i] ? 1 : 0) }
      case .logitMargin(let labels):
        let y = labels[i]
        let other = (0..<k).filter { $0 != y }.max { z[i * k + $0] < z[i * k + $1] }!
        losses[i] = Double(z[i * k + other] - z[i * k + y])
        coefficient[other] = 1
        coefficient[y] = -1
      case .softCrossEntropy:
        throw FourierLensError.message("soft targets are not used by the plugin tests")
      }
      let w = Double(sampleWeights?[i] ?? 1 / Float(n))
      for t in 0..<d {
        var g = 0.0
        for j in 0..<k where coefficient[j] != 0 { g += coefficient[j] * weights[j * d + t] }
        grad[i * d + t] = Float(w * g / Double(description.std[t / plane]))
      }
    }
    return LossAndGradient(perSampleLoss: losses, logits: z, inputGradient: Tensor(shape: input.shape, data: grad))
  }

  func accuracy(_ images: Tensor, _ labels: [Int]) throws -> Double {
    let z = try logits(images), k = bias.count
    var correct = 0
    for i in 0..<labels.count {
      let row = z[i * k ..< (i + 1) * k]
      if row.firstIndex(of: row.max()!)! - i * k == labels[i] { correct += 1 }
    }
    return Double(correct) / Double(labels.count)
  }
}

/// Labelled images x = clamp(μ_y + noise): class means with ±amplitude patterns around 0.5.
enum SyntheticImages {
  static func batch(count: Int, classes: Int, shape: [Int], amplitude: Float = 0.1, noise: Float = 0.1,
                    patterns: [[Float]]? = nil, seed: UInt64) -> ImageBatch {
    let d = shape.reduce(1, *)
    var patternRng = SeededGenerator(seed: 1234)
    let p = patterns ?? (0..<classes).map { _ in (0..<d).map { _ in patternRng.nextUniform() < 0.5 ? Float(-1) : 1 } }
    var rng = SeededGenerator(seed: seed)
    var data = [Float](repeating: 0, count: count * d)
    var labels = [Int](repeating: 0, count: count)
    for i in 0..<count {
      let y = i % classes
      labels[i] = y
      for j in 0..<d { data[i * d + j] = min(1, max(0, 0.5 + amplitude * p[y][j] + noise * rng.nextGaussian())) }
    }
    return ImageBatch(images: Tensor(shape: [count] + shape, data: data), labels: labels, classNames: (0..<classes).map { "c\($0)" })
  }
}
