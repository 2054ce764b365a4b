import Foundation

/// The data term of the mask-learning loss and its derivative with respect to each
/// image's masked loss, for images split into mask groups (one group per mask).
///
/// Separating this from the model keeps the paper's formula testable by hand: the
/// learner multiplies each image's input gradient ∂ℓᵢ/∂x_M by `sampleWeights[i]`.
public enum MaskLoss {
  public struct Terms: Equatable {
    /// Data term per group: exp(I_k) for `paper`, mean KL or CE otherwise. Groups with no
    /// image in the batch have 0.
    public var dataTerm: [Float]
    /// Distortion per group: I_k = d_k² for `paper` (the invariance), mean KL/CE otherwise.
    public var distortion: [Float]
    /// ∂(Σ_k dataTerm_k)/∂ℓᵢ.
    public var sampleWeights: [Float]
    /// Number of images of each group in the batch.
    public var groupSizes: [Int]
  }

  /// - Parameters:
  ///   - maskedLoss: ℓᵢ, the per-image loss through the mask (CE to labels for `paper` and
  ///     `ce`; soft cross-entropy to the clean prediction for `kl`).
  ///   - cleanLoss: for `paper`, the clean CE of each image; for `kl`, the entropy of the
  ///     clean prediction (so ℓᵢ − cleanLossᵢ is the KL divergence); unused for `ce`.
  ///   - group: the mask group of each image, in 0..<groupCount.
  public static func terms(objective: MaskObjective, maskedLoss: [Double], cleanLoss: [Double],
                           group: [Int], groupCount: Int) -> Terms {
    precondition(maskedLoss.count == group.count && (objective == .ce || cleanLoss.count == group.count))
    var sizes = [Int](repeating: 0, count: groupCount)
    var maskedSum = [Double](repeating: 0, count: groupCount)
    var cleanSum = [Double](repeating: 0, count: groupCount)
    for (i, g) in group.enumerated() {
      sizes[g] += 1
      maskedSum[g] += maskedLoss[i]
      if objective != .ce { cleanSum[g] += cleanLoss[i] }
    }
    var dataTerm = [Float](repeating: 0, count: groupCount)
    var distortion = [Float](repeating: 0, count: groupCount)
    var slope = [Double](repeating: 0, count: groupCount)  // ∂dataTerm_k/∂(mean ℓ over group k)
    for k in 0..<groupCount where sizes[k] > 0 {
      let n = Double(sizes[k])
      switch objective {
      case .paper:
        let d = maskedSum[k] / n - cleanSum[k] / n
        let invariance = d * d
        distortion[k] = Float(invariance)
        dataTerm[k] = Float(exp(invariance))
        slope[k] = exp(invariance) * 2 * d
      case .kl:
        let kl = (maskedSum[k] - cleanSum[k]) / n
        distortion[k] = Float(kl)
        dataTerm[k] = Float(kl)
        slope[k] = 1
      case .ce:
        distortion[k] = Float(maskedSum[k] / n)
        dataTerm[k] = distortion[k]
        slope[k] = 1
      }
    }
    let weights = group.map { Float(slope[$0] / Double(sizes[$0])) }
    return Terms(dataTerm: dataTerm, distortion: distortion, sampleWeights: weights, groupSizes: sizes)
  }

  /// Mean of the softmax cross-entropy between two rows of logits: H(p, softmax(z)).
  /// Used for per-image entropies of clean predictions (the `kl` objective).
  public static func softmax(_ logits: ArraySlice<Float>) -> [Float] {
    let m = logits.max() ?? 0
    let e = logits.map { exp(Double($0 - m)) }
    let s = e.reduce(0, +)
    return e.map { Float($0 / s) }
  }

  public static func entropy(_ p: [Float]) -> Double {
    p.reduce(0.0) { $0 - ($1 > 0 ? Double($1) * log(Double($1)) : 0) }
  }
}
