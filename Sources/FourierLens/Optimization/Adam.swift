import Foundation

/// Adam (Kingma & Ba 2015) on a flat parameter vector, as PyTorch implements it
/// (bias-corrected moments, ε added outside the square root).
///
/// Parameters are split into equal groups (one per mask for class- and image-scope
/// learning); `step(..., activeGroups:)` updates only the groups that received a gradient
/// this step, with a step count per group, so a class absent from a batch is not moved
/// by stale momentum.
public struct Adam: Codable, Equatable, Sendable {
  public var beta1: Float = 0.9
  public var beta2: Float = 0.999
  public var epsilon: Float = 1e-8
  public private(set) var firstMoment: [Float]
  public private(set) var secondMoment: [Float]
  /// Steps taken by each group.
  public private(set) var steps: [Int]
  public let groupSize: Int

  public init(parameterCount: Int, groups: Int = 1) {
    precondition(groups >= 1 && parameterCount % groups == 0, "\(parameterCount) parameters in \(groups) groups")
    firstMoment = [Float](repeating: 0, count: parameterCount)
    secondMoment = [Float](repeating: 0, count: parameterCount)
    steps = [Int](repeating: 0, count: groups)
    groupSize = parameterCount / groups
  }

  /// θ ← θ − lr · m̂ / (√v̂ + ε) for the active groups (all when nil).
  public mutating func step(_ theta: inout [Float], gradient: [Float], learningRate lr: Float, activeGroups: [Int]? = nil) {
    precondition(theta.count == gradient.count && theta.count == firstMoment.count)
    let groups = activeGroups ?? Array(0..<steps.count)
    let (b1, b2, eps) = (beta1, beta2, epsilon)
    for g in groups {
      steps[g] += 1
      let t = Float(steps[g])
      let correction1 = 1 - pow(b1, t)
      let correction2 = 1 - pow(b2, t)
      let stepSize = lr / correction1
      let range = g * groupSize ..< (g + 1) * groupSize
      theta.withUnsafeMutableBufferPointer { p in
        firstMoment.withUnsafeMutableBufferPointer { m in
          secondMoment.withUnsafeMutableBufferPointer { v in
            gradient.withUnsafeBufferPointer { gr in
              for i in range {
                let gi = gr[i]
                m[i] = b1 * m[i] + (1 - b1) * gi
                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                p[i] -= stepSize * m[i] / ((v[i] / correction2).squareRoot() + eps)
              }
            }
          }
        }
      }
    }
  }
}
