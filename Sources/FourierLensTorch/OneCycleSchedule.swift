import Foundation

/// The one-cycle learning-rate schedule (Smith & Topin 2019): a linear warm-up from
/// `maxLR / divFactor` to `maxLR`, then an anneal (cosine or linear) down to
/// `maxLR / finalDivFactor`. Defined per optimisation step so that a resumed run gets
/// exactly the rates of an uninterrupted one.
public struct OneCycleSchedule: Codable, Equatable, Sendable {
  public enum Anneal: String, Codable, Sendable { case cosine, linear }

  public var maxLR: Double
  public var totalSteps: Int
  /// Fraction of the steps spent warming up.
  public var warmupFraction: Double
  public var anneal: Anneal
  public var divFactor: Double
  public var finalDivFactor: Double

  public init(maxLR: Double, totalSteps: Int, warmupFraction: Double = 0.25, anneal: Anneal = .cosine,
              divFactor: Double = 25, finalDivFactor: Double = 1e4) {
    self.maxLR = maxLR
    self.totalSteps = max(1, totalSteps)
    self.warmupFraction = min(max(warmupFraction, 0), 1)
    self.anneal = anneal
    self.divFactor = divFactor
    self.finalDivFactor = finalDivFactor
  }

  /// The learning rate for step `step` (0-based; steps past the end keep the final rate).
  public func learningRate(at step: Int) -> Double {
    let initial = maxLR / divFactor
    let final = maxLR / finalDivFactor
    let warmupSteps = Int((Double(totalSteps) * warmupFraction).rounded())
    let s = min(max(step, 0), totalSteps - 1)
    if s < warmupSteps {
      return initial + (maxLR - initial) * Double(s) / Double(max(1, warmupSteps))
    }
    let annealSteps = max(1, totalSteps - 1 - warmupSteps)
    let t = Double(s - warmupSteps) / Double(annealSteps)
    switch anneal {
    case .cosine: return final + (maxLR - final) * (1 + cos(Double.pi * t)) / 2
    case .linear: return maxLR + (final - maxLR) * t
    }
  }
}
