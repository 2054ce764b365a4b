import Foundation

/// How `flens learn-mask --retention R,...` chooses λ: a regularisation path. λ starts
/// small (`startLambda`, where the mask barely leaves all-ones), and is multiplied by
/// `stepFactor` after every step; each λ is learned by `MaskLearner`, warm-started from the
/// previous λ's mask. The path stops after the first λ at which no mask reaches the
/// smallest target any more, or before a λ above `maxLambda`. For each target R and each
/// mask (group), the sparsest mask of the path whose masked accuracy is ≥ R × clean
/// accuracy is kept.
public struct RetentionPathConfig: Codable, Equatable, Sendable {
  /// The retention targets R, fractions of clean accuracy in (0, 1], in the order given.
  public var targets: [Float]
  public var startLambda: Float = 0.005
  public var stepFactor: Float = 1.5
  public var maxLambda: Float = 5

  public init(targets: [Float]) { self.targets = targets }

  public var smallestTarget: Float { targets.min() ?? 1 }

  /// λ of step `i` (0-based): startLambda · stepFactor^i, computed the same way every time
  /// so that a resumed path meets its checkpoint's configuration exactly.
  public func lambda(at step: Int) -> Float {
    Float(Double(startLambda) * pow(Double(stepFactor), Double(step)))
  }

  /// Whether the path goes on after `steps`: the last λ still gave some mask that meets the
  /// smallest target, and the next λ is within the cap.
  public func continues(after steps: [RetentionPathStep]) -> Bool {
    guard let last = steps.last else { return true }
    let stillMeets = last.groupImageCount.indices.contains { last.meets(smallestTarget, group: $0) }
    return stillMeets && lambda(at: steps.count) <= maxLambda
  }

  public func validate() throws {
    func bad(_ key: SettingKey, _ why: String) -> FourierLensError { .badSetting(key, reason: why) }
    guard !targets.isEmpty else { throw bad(.retention, "needs at least one target R in (0, 1]") }
    for r in targets where !(r > 0 && r <= 1) {
      throw bad(.retention, "each target must be a fraction of clean accuracy in (0, 1], got \(r)")
    }
    guard Set(targets).count == targets.count else { throw bad(.retention, "lists a target twice") }
    guard startLambda.isFinite, startLambda > 0 else {
      throw bad(.lambdaStart, "must be a finite number > 0, got \(startLambda)")
    }
    guard stepFactor.isFinite, stepFactor > 1 else { throw bad(.lambdaFactor, "must be > 1, got \(stepFactor)") }
    // Said without naming the other setting, whose name depends on the front end.
    guard maxLambda.isFinite, maxLambda >= startLambda else {
      throw bad(.lambdaMax, "must be a finite number ≥ the path's first λ (\(startLambda)), got \(maxLambda)")
    }
  }

  /// The name of the mask directory of target R: `retention-0.95`.
  public static func directoryName(_ target: Float) -> String { "retention-\(target)" }
}

/// One λ of the path: the masks the learner returned for it and how they do, per group.
public struct RetentionPathStep: Codable, Equatable, Sendable {
  public var lambda: Float
  /// Parameters of every mask, back to back (the warm start of the next λ).
  public var theta: [Float]
  public var groupImageCount: [Int]
  public var groupCleanAccuracy: [Float]
  public var groupMaskedAccuracy: [Float]
  public var groupSparsity: [Float]
  /// Over all images and masks.
  public var cleanAccuracy: Float
  public var maskedAccuracy: Float
  public var sparsity: Float
  public var epochsRun: Int
  public var history: [MaskEpochRecord]

  public init(lambda: Float, result r: MaskLearningResult) {
    self.lambda = lambda
    theta = r.theta
    groupImageCount = r.groupImageCount
    groupCleanAccuracy = r.groupCleanAccuracy
    groupMaskedAccuracy = r.groupMaskedAccuracy
    groupSparsity = r.groupSparsity
    cleanAccuracy = r.cleanAccuracy
    maskedAccuracy = r.maskedAccuracy
    sparsity = r.sparsity
    epochsRun = r.epochsRun
    history = r.history
  }

  /// The learner's keep rule, for group k and target R: masked ≥ R × clean on its images.
  public func meets(_ target: Float, group k: Int) -> Bool {
    groupImageCount[k] > 0 && groupMaskedAccuracy[k] >= target * groupCleanAccuracy[k]
  }

  public func retention(group k: Int) -> Float {
    Retention.of(masked: groupMaskedAccuracy[k], clean: groupCleanAccuracy[k])
  }
}

/// Which step of the path each mask (group) takes for one target R.
public struct RetentionChoice: Equatable, Sendable {
  public var target: Float
  /// Per group: the index into the path of the step its mask comes from.
  public var stepOfGroup: [Int]
  /// Per group: whether that mask meets R (false for a group without images).
  public var metByGroup: [Bool]

  /// For every group: the sparsest step that meets R (ties: the higher masked accuracy,
  /// then the smaller λ); when no step does, the step with the highest retention, so the
  /// mask written is the closest the path came.
  public init(target: Float, path: [RetentionPathStep]) {
    precondition(!path.isEmpty, "a retention choice needs at least one step of the path")
    self.target = target
    let groups = path[0].groupImageCount.count
    stepOfGroup = []
    metByGroup = []
    for k in 0..<groups {
      let meeting = path.indices.filter { path[$0].meets(target, group: k) }
      if let best = meeting.min(by: { a, b in
        let (sa, sb) = (path[a].groupSparsity[k], path[b].groupSparsity[k])
        if sa != sb { return sa < sb }
        let (ma, mb) = (path[a].groupMaskedAccuracy[k], path[b].groupMaskedAccuracy[k])
        return ma != mb ? ma > mb : a < b
      }) {
        stepOfGroup.append(best)
        metByGroup.append(true)
      } else {
        let closest = path.indices.max { a, b in
          let (ra, rb) = (path[a].retention(group: k), path[b].retention(group: k))
          return ra != rb ? ra < rb : a > b
        }!
        stepOfGroup.append(closest)
        metByGroup.append(false)
      }
    }
  }

  /// θ of every group from its chosen step, back to back.
  public func theta(from path: [RetentionPathStep]) -> [Float] {
    let p = path[0].theta.count / max(1, stepOfGroup.count)
    return Array(stepOfGroup.enumerated().map { k, step in path[step].theta[k * p ..< (k + 1) * p] }.joined())
  }
}

/// Retention: masked accuracy as a fraction of clean accuracy (1 when clean accuracy is 0,
/// where no mask can lose anything).
public enum Retention {
  public static func of(masked: Float, clean: Float) -> Float { clean > 0 ? masked / clean : 1 }
}

extension MaskSummary {
  public var retention: Float { Retention.of(masked: maskedAccuracy, clean: cleanAccuracy) }
}

extension MaskLearningResult {
  public var retention: Float { Retention.of(masked: maskedAccuracy, clean: cleanAccuracy) }
}
