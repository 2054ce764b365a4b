import Foundation
@testable import FourierLens

/// A linear softmax classifier z = W·((x − μ)/σ) + b with exact gradients: an analytic
/// model for testing what sits around a classifier (mask learning, probes), independent
/// of any neural-network backend.
final class LinearSoftmaxClassifier: Classifier {
  let description: ModelDescription
  let weights: [Double]  // [K, D]
  let bias: [Double]

  init(weights: [Double], bias: [Double], input: [Int], mean: [Float], std: [Float]) {
    self.weights = weights
    self.bias = bias
    description = ModelDescription(arch: "linear", input: input, mean: mean, std: std,
                                   classes: (0..<bias.count).map { "c\($0)" })
  }

  private var dimension: Int { description.input.reduce(1, *) }

  private func normalised(_ x: Tensor, _ i: Int) -> [Double] {
    let d = dimension, plane = description.input[1] * description.input[2]
    return (0..<d).map { j in
      let c = j / plane
      return (Double(x.data[i * d + j]) - Double(description.mean[c])) / Double(description.std[c])
    }
  }

  func logits(_ input: Tensor) throws -> [Float] {
    let n = input.shape[0], k = bias.count, d = dimension
    var out = [Float]()
    for i in 0..<n {
      let v = normalised(input, i)
      for j in 0..<k {
        var s = bias[j]
        for t in 0..<d { s += weights[j * d + t] * v[t] }
        out.append(Float(s))
      }
    }
    return out
  }

  func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    let n = input.shape[0], k = bias.count, d = dimension, plane = description.input[1] * description.input[2]
    let z = try logits(input)
    var losses = [Double](), grad = [Float](repeating: 0, count: input.count)
    for i in 0..<n {
      let row = z[i * k ..< (i + 1) * k].map(Double.init)
      let m = row.max()!
      let e = row.map { exp($0 - m) }
      let s = e.reduce(0, +)
      let p = e.map { $0 / s }
      var target = [Double](repeating: 0, count: k)
      switch objective {
      case .crossEntropy(let labels): target[labels[i]] = 1
      case .softCrossEntropy(let t): for j in 0..<k { target[j] = Double(t[i * k + j]) }
      case .logitMargin: fatalError("not used by these tests")
      }
      losses.append(-(0..<k).reduce(0.0) { $0 + target[$1] * log(p[$1]) })
      let w = Double(sampleWeights?[i] ?? 1 / Float(n))
      for t in 0..<d {
        var g = 0.0
        for j in 0..<k { g += (p[j] - target[j]) * weights[j * d + t] }
        grad[i * d + t] = Float(w * g / Double(description.std[t / plane]))
      }
    }
    return LossAndGradient(perSampleLoss: losses, logits: z, inputGradient: Tensor(shape: input.shape, data: grad))
  }
}

/// The paper's free mask, θ = M, clamped to [0, 1]: the simplest parameterization, for
/// tests of the learner that must not depend on the plugin machinery.
final class IdentityMask: MaskParameterization {
  let name = "identity"
  let maskShape: [Int]
  var parameterCount: Int { maskShape.reduce(1, *) }
  init(shape: [Int]) { maskShape = shape }
  func initialParameters() throws -> [Float] { [Float](repeating: 1, count: parameterCount) }
  func mask(_ theta: [Float]) throws -> [Float] { theta }
  func vectorJacobianProduct(_ theta: [Float], maskGradient: [Float]) throws -> [Float] { maskGradient }
  func project(_ theta: inout [Float]) throws { for i in theta.indices { theta[i] = min(1, max(0, theta[i])) } }
}
