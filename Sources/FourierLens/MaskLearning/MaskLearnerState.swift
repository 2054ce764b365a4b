/// Everything needed to continue a mask-learning run after an interruption, written at
/// epoch boundaries. Floats survive a JSON round trip exactly (shortest round-trip
/// formatting), so a resumed run continues bit for bit.
public struct MaskLearnerState: Codable, Equatable, Sendable {
  /// The next epoch to run.
  public var nextEpoch: Int
  public var theta: [Float]
  public var adam: Adam
  /// Parameters of the last mask that met the accuracy target, per mask (empty if none yet).
  public var keptTheta: [[Float]]
  /// Image scope's stopping rule: the previous step's sparsity and the count of consecutive calm steps.
  public var previousSparsity: Float?
  public var calmEpochs: Int
  /// Per mask, the epoch (1-based) its kept mask comes from; absent before the first keep.
  public var keptEpochs: [Int]?
  /// Dataset and class scopes: the epoch at which the final decay began (nil while the rate
  /// is still stable), and whether the mask had converged then (false: the cap forced it).
  public var decayStartEpoch: Int?
  public var converged: Bool?
  public var history: [MaskEpochRecord]
  /// The configuration the state belongs to; a resume with another configuration is refused.
  public var config: MaskLearningConfig
  /// Set when the run stopped inside epoch `nextEpoch` (Ctrl-C at a step boundary): the
  /// steps of that epoch already taken and the epoch's running sums. Absent at epoch ends.
  public var stepInEpoch: Int?
  public var epochDataSum: Double?
  public var epochDistortionSum: Double?
}
