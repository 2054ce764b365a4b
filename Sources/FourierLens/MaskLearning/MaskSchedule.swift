/// The learning rate of a mask-learning run and when the run ends.
///
/// - Dataset and class masks learn until they converge: a warm-up over the first epoch(s), the
///   peak rate until `MaskConvergence` holds over the last `patience` epochs (or until the
///   epoch cap leaves only room for the decay: then the run is *not* converged), then a
///   cosine decay over `decayEpochs`. `--epochs` is a cap, not the schedule.
/// - Image masks follow the paper's fixed single-image schedule: one-cycle over `epochs`
///   steps, ending early once every mask met its target and the sparsity changed by ≤ 1e-5
///   for 7 steps in a row. Their convergence is not judged (`converged` is nil).
enum MaskSchedule {
  /// The rate, and the configuration whose cap, warm-up, decay and convergence criterion end the run.
  case untilConverged(WarmupStableDecaySchedule, MaskLearningConfig, batchesPerEpoch: Int)
  case fixed(OneCycleSchedule)

  /// The image-scope stopping rule's constants (the paper's schedule, unchanged).
  static let calmSteps = 7
  static let calmTolerance: Float = 1e-5

  init(config: MaskLearningConfig, batchesPerEpoch: Int) {
    if config.scope == .image {
      self = .fixed(OneCycleSchedule(maxLR: config.learningRate, totalSteps: config.epochs * batchesPerEpoch,
                                     warmupFraction: config.warmupFraction))
    } else {
      self = .untilConverged(
        WarmupStableDecaySchedule(maxLR: config.learningRate, warmupSteps: config.warmupEpochs * batchesPerEpoch,
                                  decaySteps: config.decayLength * batchesPerEpoch),
        config, batchesPerEpoch: batchesPerEpoch)
    }
  }

  func learningRate(at step: Int, state: MaskLearnerState) -> Float {
    switch self {
    case .fixed(let oneCycle): return oneCycle.learningRate(at: step)
    case .untilConverged(let wsd, _, let batchesPerEpoch):
      return wsd.learningRate(at: step, decayStart: state.decayStartEpoch.map { $0 * batchesPerEpoch })
    }
  }

  /// Before an epoch: when the cap leaves only room for the decay and the mask has not
  /// converged, the decay starts now and the run is recorded as not converged.
  func epochBegins(_ state: inout MaskLearnerState) {
    guard case .untilConverged(_, let config, _) = self, state.decayStartEpoch == nil,
          state.nextEpoch >= config.epochs - config.decayLength else { return }
    (state.decayStartEpoch, state.converged) = (state.nextEpoch, false)
  }

  /// Updates the run's schedule state after the epoch `state.nextEpoch` (1-based count of
  /// epochs done) and says whether the run is over.
  func epochEnded(_ state: inout MaskLearnerState, cleanAccuracy: Float, everyGroupKept: Bool) -> Bool {
    let done = state.nextEpoch
    switch self {
    case .fixed:
      let sparsity = state.history.last?.sparsity ?? 0
      if let previous = state.previousSparsity, abs(sparsity - previous) <= Self.calmTolerance {
        state.calmEpochs += 1
      } else {
        state.calmEpochs = 0
      }
      state.previousSparsity = sparsity
      return everyGroupKept && state.calmEpochs >= Self.calmSteps
    case .untilConverged(_, let config, _):
      // The warm-up epochs are not part of the stable phase whose drift is judged.
      if state.decayStartEpoch == nil,
         config.convergence.isMet(by: state.history.dropFirst(config.warmupEpochs), cleanAccuracy: cleanAccuracy) {
        (state.decayStartEpoch, state.converged) = (done, true)
      }
      guard let decayStart = state.decayStartEpoch else { return false }
      return done >= min(config.epochs, decayStart + config.decayLength)
    }
  }
}
