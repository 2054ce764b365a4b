import FourierLens

/// What a page says about the retention of the masks it compares: a difference between
/// masks more than 1 point of retention apart mixes the networks with the accuracy each
/// mask gave up, so it is never shown without saying so; and a mask that missed its
/// target is named.
enum RetentionNotes {
  struct Mask {
    var model: String
    /// Masked / clean accuracy.
    var retention: Float
    var retentionTarget: Float?
    var targetMet: Bool?
  }

  /// Retentions further apart than this (1 point) are flagged.
  static let tolerance: Float = 0.01

  static func notes(_ masks: [Mask]) -> [String] {
    var notes: [String] = []
    if let low = masks.min(by: { $0.retention < $1.retention }), let high = masks.max(by: { $0.retention < $1.retention }),
       high.retention - low.retention > tolerance {
      notes.append("<strong class=\"flag\">Not at matched retention:</strong> the masks compared here keep between "
        + "\(NumberFormat.percent(Double(low.retention))) % (<em>\(Markup.escape(low.model))</em>) and "
        + "\(NumberFormat.percent(Double(high.retention))) % (<em>\(Markup.escape(high.model))</em>) of clean accuracy, "
        + "more than 1 point apart. Their differences (profiles, low-frequency share) reflect how much accuracy each mask "
        + "gave up as well as the networks; " + remedy(masks))
    }
    for m in masks where m.targetMet == false {
      let target = m.retentionTarget.map { "retention \(NumberFormat.percent(Double($0))) %" } ?? "its accuracy target"
      notes.append("<strong class=\"flag\">Target not met:</strong> no mask of <em>\(Markup.escape(m.model))</em> reached "
        + "\(target); the one shown is the closest (its <code>summary.json</code> says <code>target_met: false</code>).")
    }
    return notes
  }

  /// How to bring the masks closer. Masks from a retention path are already the sparsest
  /// found at ≥ R: a gap then means some network's accuracy did not come down to R along
  /// its path (it falls in a step, or λ reached its limit first).
  private static func remedy(_ masks: [Mask]) -> String {
    guard masks.allSatisfy({ $0.retentionTarget != nil }) else {
      return "compare at matched retention with <code>flens learn-mask --retention R</code>."
    }
    return "all are the sparsest masks their λ paths found at or above the target, so a network whose retention stays "
      + "above it did not lose accuracy gradually along its path (a finer <code>--lambda-factor</code> or a larger "
      + "<code>--lambda-max</code> may bring it closer; <code>path.csv</code> shows every λ tried)."
  }
}
