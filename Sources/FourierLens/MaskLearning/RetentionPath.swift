import Foundation

/// How `flens learn-mask --retention R,...` chooses λ: a regularisation path of converged
/// masks, judged on held-out images. Every λ is learned by `MaskLearner` until its mask has
/// converged (`MaskConvergence`), warm-started from the mask of a smaller λ, and measured on
/// the validation images. The path first brackets: λ starts small (`startLambda`, where the
/// mask barely leaves all-ones) and is multiplied by `stepFactor` until no mask meets the
/// smallest target any more, or before a λ above `maxLambda`. Then, for each target R, it
/// narrows the bracket between the largest λ whose masks all meet R and the next larger λ
/// tried, warm-started from the former, until the two are within a factor `resolution`
/// (`refinement(for:in:)`: the λ where retention, linear in log λ between the two, reaches
/// R; bisection once that has taken as many steps as bisection would). For each R and mask
/// (group), the sparsest mask of the path whose masked accuracy on the validation images is
/// ≥ R × their clean accuracy is kept.
public struct RetentionPathConfig: Codable, Equatable, Sendable {
  /// The retention targets R, fractions of clean accuracy in (0, 1], in the order given.
  public var targets: [Float]
  public var startLambda: Float = 0.005
  public var stepFactor: Float = 2
  public var maxLambda: Float = 5
  /// Bisection stops when the bracket around R is within this factor (> 1).
  public var resolution: Float = 1.1

  public init(targets: [Float]) { self.targets = targets }

  public var smallestTarget: Float { targets.min() ?? 1 }

  /// λ of bracketing step `i` (0-based): startLambda · stepFactor^i, computed the same way
  /// every time so that a resumed path meets its checkpoint's configuration exactly.
  public func lambda(at step: Int) -> Float {
    Float(Double(startLambda) * pow(Double(stepFactor), Double(step)))
  }

  /// The next λ of the path after `steps`, and which step it is warm-started from (nil for
  /// the first); nil when the path is complete. A pure function of the steps, so a resumed
  /// path continues exactly as an uninterrupted one.
  public func next(after steps: [RetentionPathStep]) -> (lambda: Float, warmStart: Int?, refines: Bool)? {
    guard let last = steps.last else { return (lambda(at: 0), nil, false) }
    let bracket = steps.prefix { !$0.refines }
    if !last.refines {
      let stillMeets = last.groupImageCount.indices.contains { last.meets(smallestTarget, group: $0) }
      if stillMeets && lambda(at: bracket.count) <= maxLambda {
        return (lambda(at: bracket.count), steps.count - 1, false)
      }
    }
    for target in targets {
      let meeting = steps.indices.filter { steps[$0].meetsEveryGroup(target) }
      guard let low = meeting.max(by: { steps[$0].lambda < steps[$1].lambda }) else { continue }
      let above = steps.indices.filter { steps[$0].lambda > steps[low].lambda }
      guard let high = above.min(by: { steps[$0].lambda < steps[$1].lambda }) else { continue }
      if Double(steps[high].lambda) / Double(steps[low].lambda) > Double(resolution) {
        return (refinement(for: target, between: low, and: high, in: steps), low, true)
      }
    }
    return nil
  }

  /// The λ that narrows the bracket (`low` meets R, `high`, the next λ above it, does not).
  ///
  /// Why not plain bisection: every λ of the path costs a converged mask, and retention is
  /// close to linear in log λ over a bracket, so the λ where the line through the bracket's
  /// two retentions crosses R usually lands within `resolution` of λ* at once. It is kept a
  /// factor `resolution` inside each end, so that when it lands just past λ* (the usual
  /// case: the line's end near λ* is flatter than the rest) the next step closes the
  /// bracket from the other side. Retention measured on a few hundred validation images is
  /// noisy and need not fall monotonically, so once as many refinements lie inside the
  /// bracketing interval as bisection would have needed from it, the rest bisect: the path
  /// takes at most twice bisection's steps.
  func refinement(for target: Float, between low: Int, and high: Int, in steps: [RetentionPathStep]) -> Float {
    let (lo, hi) = (log(Double(steps[low].lambda)), log(Double(steps[high].lambda)))
    let midpoint = Float(exp((lo + hi) / 2))
    // The bracketing λs around this bracket, and the refinements already spent inside them.
    let bracketing = steps.filter { !$0.refines }.map { log(Double($0.lambda)) }
    let outerLow = bracketing.filter { $0 <= lo }.max() ?? lo
    let outerHigh = bracketing.filter { $0 >= hi }.min() ?? hi
    let spent = steps.filter { s in s.refines && (outerLow..<outerHigh).contains(log(Double(s.lambda))) }.count
    let step = log(Double(resolution))
    let bisections = Int(log2(max(1, (outerHigh - outerLow) / step)).rounded(.up))
    guard spent < bisections, hi - lo >= 2 * step else { return midpoint }
    let (rLow, rHigh) = (Double(steps[low].bindingRetention), Double(steps[high].bindingRetention))
    guard rLow > rHigh else { return midpoint }
    let t = min(1, max(0, (rLow - Double(target)) / (rLow - rHigh)))
    return Float(exp(min(hi - step, max(lo + step, lo + t * (hi - lo)))))
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
    guard resolution.isFinite, resolution > 1 else { throw bad(.lambdaResolution, "must be > 1, got \(resolution)") }
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
  /// The step whose masks this one started from (nil: the parameterization's initial θ).
  public var warmStart: Int?
  /// Whether the step narrows a bracket around a target (false: a bracketing step).
  public var refines: Bool
  /// Whether every λ's run converged before the epoch cap, and the optimisation steps it took.
  public var converged: Bool?
  public var optimizerSteps: Int
  /// The masks on the validation images (nil without them: the learning images judge).
  public var validation: HeldOutAccuracy?
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

  public init(lambda: Float, warmStart: Int?, refines: Bool, result r: MaskLearningResult) {
    self.lambda = lambda
    self.warmStart = warmStart
    self.refines = refines
    converged = r.converged
    optimizerSteps = r.optimizerSteps
    validation = r.validation
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

  /// Whether group k's mask meets target R: masked ≥ R × clean accuracy on the validation
  /// images (on the learning images when there are none).
  public func meets(_ target: Float, group k: Int) -> Bool {
    if let v = validation { return v.groupImageCount[k] > 0 && v.groupMaskedAccuracy[k] >= target * v.groupCleanAccuracy[k] }
    return groupImageCount[k] > 0 && groupMaskedAccuracy[k] >= target * groupCleanAccuracy[k]
  }

  /// Whether every mask with images meets R.
  public func meetsEveryGroup(_ target: Float) -> Bool {
    let judged = validation?.groupImageCount ?? groupImageCount
    return judged.indices.allSatisfy { judged[$0] == 0 || meets(target, group: $0) }
  }

  /// Group k's retention on the images that judge it (validation, else learning).
  public func retention(group k: Int) -> Float {
    validation?.retention(group: k) ?? learningRetention(group: k)
  }

  public func learningRetention(group k: Int) -> Float {
    Retention.of(masked: groupMaskedAccuracy[k], clean: groupCleanAccuracy[k])
  }

  /// The lowest retention over the masks with images: the one that decides whether the
  /// step meets a target.
  public var bindingRetention: Float {
    let judged = validation?.groupImageCount ?? groupImageCount
    return judged.indices.filter { judged[$0] > 0 }.map { retention(group: $0) }.min() ?? 1
  }

  /// Group k's masked accuracy on the images that judge it.
  func judgedMaskedAccuracy(group k: Int) -> Float { validation?.groupMaskedAccuracy[k] ?? groupMaskedAccuracy[k] }
}

/// Which step of the path each mask (group) takes for one target R.
public struct RetentionChoice: Equatable, Sendable {
  public var target: Float
  /// Per group: the index into the path of the step its mask comes from.
  public var stepOfGroup: [Int]
  /// Per group: whether that mask meets R (false for a group without images).
  public var metByGroup: [Bool]

  /// For every group: the sparsest step that meets R on the validation images (ties: the
  /// higher masked accuracy there, then the earlier step); when no step does, the step with
  /// the highest retention, so the mask written is the closest the path came.
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
        let (ma, mb) = (path[a].judgedMaskedAccuracy(group: k), path[b].judgedMaskedAccuracy(group: k))
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
