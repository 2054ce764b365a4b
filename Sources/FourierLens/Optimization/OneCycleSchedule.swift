import Foundation

/// The one-cycle learning-rate schedule (Smith & Topin 2019) as PyTorch's `OneCycleLR`
/// computes it with cosine annealing: a warm-up from `maxLR / divFactor` to `maxLR` over
/// the first `warmupFraction` of the steps, then a cosine decay to
/// `maxLR / (divFactor · finalDivFactor)`.
public struct OneCycleSchedule: Codable, Equatable, Sendable {
  public var maxLR: Float
  public var totalSteps: Int
  public var warmupFraction: Float
  public var divFactor: Float
  public var finalDivFactor: Float

  public init(maxLR: Float, totalSteps: Int, warmupFraction: Float = 0.1, divFactor: Float = 25, finalDivFactor: Float = 1e4) {
    self.maxLR = maxLR
    self.totalSteps = max(1, totalSteps)
    self.warmupFraction = warmupFraction
    self.divFactor = divFactor
    self.finalDivFactor = finalDivFactor
  }

  /// Learning rate for step `step` (0-based); steps past the end keep the final rate.
  public func learningRate(at step: Int) -> Float {
    let initial = maxLR / divFactor
    let final = initial / finalDivFactor
    let warmupEnd = Float(totalSteps) * warmupFraction - 1
    let s = Float(min(step, totalSteps - 1))
    func cosineAnneal(_ start: Float, _ end: Float, _ pct: Float) -> Float {
      end + (start - end) / 2 * (cos(Float.pi * pct) + 1)
    }
    if s <= warmupEnd, warmupEnd > 0 {
      return cosineAnneal(initial, maxLR, s / warmupEnd)
    }
    let decaySteps = Float(totalSteps - 1) - max(warmupEnd, 0)
    guard decaySteps > 0 else { return maxLR }
    return cosineAnneal(maxLR, final, (s - max(warmupEnd, 0)) / decaySteps)
  }
}
