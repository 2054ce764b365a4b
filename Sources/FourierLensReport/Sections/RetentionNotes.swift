import FourierLens

/// What a page says about the retention of the masks it compares: a difference between
/// masks more than 1 point of retention apart mixes the networks with the accuracy each
/// mask gave up, so it is never shown without saying so; a mask that missed its target is
/// named, and so is one taken from a λ that did not converge (stopped early, it is denser
/// than its retention allows).
enum RetentionNotes {
  struct Mask {
    var model: String
    /// Masked / clean accuracy on the images that judged the target (validation, else learning).
    var retention: Float
    var retentionTarget: Float?
    var targetMet: Bool?
    /// Whether `retention` is on validation images the mask never saw.
    var heldOut = false
    /// `converged` of its summary (nil: not recorded), and seeds whose λ did not converge.
    var converged: Bool? = nil
    var unconvergedSeeds: [UInt64] = []
  }

  /// Retentions further apart than this (1 point) are flagged.
  static let tolerance: Float = 0.01

  static func notes(_ masks: [Mask]) -> [String] {
    var notes: [String] = []
    if let low = masks.min(by: { $0.retention < $1.retention }), let high = masks.max(by: { $0.retention < $1.retention }),
       high.retention - low.retention > tolerance {
      notes.append("<strong class=\"flag\">Not at matched retention:</strong> the masks compared here keep between "
        + "\(NumberFormat.percent(Double(low.retention))) % (<em>\(Markup.escape(low.model))</em>) and "
        + "\(NumberFormat.percent(Double(high.retention))) % (<em>\(Markup.escape(high.model))</em>) of clean accuracy "
        + imagesPhrase(masks) + ", more than 1 point apart. Their differences (profiles, low-frequency share) reflect how much accuracy each mask "
        + "gave up as well as the networks; " + remedy(masks))
    }
    for m in masks where m.targetMet == false {
      let target = m.retentionTarget.map { "retention \(NumberFormat.percent(Double($0))) %" } ?? "its accuracy target"
      notes.append("<strong class=\"flag\">Target not met:</strong> no mask of <em>\(Markup.escape(m.model))</em> reached "
        + "\(target); the one shown is the closest (its <code>summary.json</code> says <code>target_met: false</code>).")
    }
    for m in masks where m.converged == false || !m.unconvergedSeeds.isEmpty {
      let seeds = m.unconvergedSeeds.isEmpty ? ""
        : " (seed\(m.unconvergedSeeds.count == 1 ? "" : "s") \(m.unconvergedSeeds.map(String.init).joined(separator: ", ")))"
      notes.append("<strong class=\"flag\">Not converged:</strong> the mask of <em>\(Markup.escape(m.model))</em>\(seeds) "
        + "comes from a λ whose learning stopped at the epoch cap before the mask converged (its <code>summary.json</code> "
        + "says <code>converged: false</code>): it is denser than its retention allows, so differences to it overstate "
        + "how many frequencies the network needs. Raise <code>--epochs</code>.")
    }
    return notes
  }

  /// On which images the retentions compared were measured.
  private static func imagesPhrase(_ masks: [Mask]) -> String {
    if masks.allSatisfy(\.heldOut) { return "on held-out validation images" }
    if !masks.contains(where: \.heldOut) { return "on the images the masks were learned on" }
    return "(on validation images where they were set aside, else on the learning images)"
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
