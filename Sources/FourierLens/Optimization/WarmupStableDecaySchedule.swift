import Foundation

/// A learning-rate schedule whose length is not fixed in advance: a linear warm-up from
/// `maxLR / divFactor` to `maxLR` over `warmupSteps`, then `maxLR` for as long as the run
/// needs (the stable phase, which ends when the run decides: when its mask has converged,
/// or when the epoch cap leaves only room for the decay), then a cosine decay to
/// `maxLR / (divFactor · finalDivFactor)` over `decaySteps`, as one-cycle ends.
///
/// Mask learning uses it so that `--epochs` is a cap and not the schedule: with one-cycle
/// the rate reaches zero at the cap, so a mask "settles" there whether it converged or not.
public struct WarmupStableDecaySchedule: Codable, Equatable, Sendable {
  public var maxLR: Float
  public var warmupSteps: Int
  public var decaySteps: Int
  public var divFactor: Float = 25
  public var finalDivFactor: Float = 1e4

  public init(maxLR: Float, warmupSteps: Int, decaySteps: Int) {
    self.maxLR = maxLR
    self.warmupSteps = max(0, warmupSteps)
    self.decaySteps = max(0, decaySteps)
  }

  /// The rate of step `step` (0-based), when the decay starts at step `decayStart` (nil:
  /// still stable). Steps past the decay keep the final rate.
  public func learningRate(at step: Int, decayStart: Int?) -> Float {
    let initial = maxLR / divFactor
    if step < warmupSteps {
      return initial + (maxLR - initial) * Float(step + 1) / Float(warmupSteps)
    }
    guard let decayStart, step >= decayStart else { return maxLR }
    guard decaySteps > 0 else { return maxLR }
    let final = initial / finalDivFactor
    // The decay's first step runs at the peak rate and its last at the final one.
    let pct = min(1, Float(step - decayStart) / Float(max(1, decaySteps - 1)))
    return final + (maxLR - final) / 2 * (cos(Float.pi * pct) + 1)
  }
}
