import Foundation

/// `summary.json` of a `flens learn-mask` directory. The first keys are the public
/// contract of ../shared/CLI.md; the rest record the full configuration.
public struct MaskSummary: Codable, Equatable, Sendable {
  public var cleanAccuracy: Float
  public var maskedAccuracy: Float
  public var complementaryAccuracy: Float
  /// ‖M‖₁/‖M₀‖₁ (mean over masks).
  public var sparsity: Float
  public var transform: TransformKind
  /// The mask parameterization spec (`free`, `radial:bands=16`, ...).
  public var param: String
  /// Path of the model the mask was learned for.
  public var model: String
  public var epochsRun: Int

  public var layout: MaskLayout
  public var scope: MaskScope
  public var objective: MaskObjective
  public var lambda: Float
  public var lr: Float
  public var epochs: Int
  public var batch: Int
  public var seed: UInt64
  public var data: String
  public var imageCount: Int
  /// Shape of one mask; `mask.npy` has a leading dimension of `maskCount` when it is > 1.
  public var maskShape: [Int]
  public var maskCount: Int
  public var masksMeetingTarget: Int
  public var accuracyTarget: Float
  public var history: [MaskEpochRecord]
  /// With `--seeds K`: the per-seed runs, in `seeds/<k>/`.
  public var seeds: [SeedSummary]?
  /// Whether every mask (with images) met its accuracy target; false means the keep rule
  /// failed for some mask, which then holds its last state (or, for a retention target, the
  /// mask of the path with the highest retention).
  public var targetMet: Bool?
  /// `--retention R`: the target R (masked accuracy ≥ R × clean accuracy) this mask was chosen for.
  public var retentionTarget: Float?
  /// `--retention --scope class`: the λ each class's mask was found at (`lambda` is the largest).
  public var groupLambdas: [Float]?
  /// `--retention`: every λ of the regularisation path with what it gave.
  public var path: [RetentionPathPoint]?
  /// Masked / clean accuracy on the learning images (`masked_accuracy` / `clean_accuracy`).
  public var learningRetention: Float?
  /// The same on the validation images, which the mask never learned from (absent without them).
  public var validationRetention: Float?
  public var validationCleanAccuracy: Float?
  public var validationMaskedAccuracy: Float?
  /// The images the mask learned from and the validation images (split, offset, count).
  public var learningImages: ImageRange?
  public var validationImages: ImageRange?
  /// Dataset and class scopes: whether every λ behind these masks converged before the epoch
  /// cap (absent for image masks, which follow a fixed schedule).
  public var converged: Bool?
  /// The epoch (1-based) the mask was kept at, for a dataset mask; per class with class scope.
  public var keptEpoch: Int?
  public var groupKeptEpochs: [Int]?
  /// Optimisation steps of the run; for `--retention`, of the whole λ path of this seed.
  public var optimizerSteps: Int?

  /// One λ of a retention run's regularisation path (over all masks of the run).
  public struct RetentionPathPoint: Codable, Equatable, Sendable {
    public var seed: UInt64
    public var lambda: Float
    public var maskedAccuracy: Float
    public var cleanAccuracy: Float
    /// masked / clean accuracy (1 when clean accuracy is 0).
    public var retention: Float
    public var sparsity: Float
    /// Retention on the validation images (absent without them), whether the λ converged,
    /// and its optimisation steps.
    public var validationRetention: Float?
    public var converged: Bool?
    public var optimizerSteps: Int?

    public init(seed: UInt64, lambda: Float, maskedAccuracy: Float, cleanAccuracy: Float, sparsity: Float,
                validationRetention: Float? = nil, converged: Bool? = nil, optimizerSteps: Int? = nil) {
      self.seed = seed
      self.lambda = lambda
      self.maskedAccuracy = maskedAccuracy
      self.cleanAccuracy = cleanAccuracy
      retention = Retention.of(masked: maskedAccuracy, clean: cleanAccuracy)
      self.sparsity = sparsity
      self.validationRetention = validationRetention
      self.converged = converged
      self.optimizerSteps = optimizerSteps
    }

    enum CodingKeys: String, CodingKey {
      case seed, lambda, maskedAccuracy = "masked_accuracy", cleanAccuracy = "clean_accuracy", retention, sparsity
      case validationRetention = "validation_retention", converged, optimizerSteps = "optimizer_steps"
    }
  }

  public struct SeedSummary: Codable, Equatable, Sendable {
    public var seed: UInt64
    public var maskedAccuracy: Float
    public var sparsity: Float
    public var epochsRun: Int
    /// `--retention`: the λ this seed's mask was found at, and whether it met the target.
    public var lambda: Float?
    public var targetMet: Bool?
    public var validationRetention: Float?
    public var converged: Bool?

    enum CodingKeys: String, CodingKey {
      case seed, maskedAccuracy = "masked_accuracy", sparsity, epochsRun = "epochs_run", lambda, targetMet = "target_met"
      case validationRetention = "validation_retention", converged
    }
  }

  enum CodingKeys: String, CodingKey {
    case cleanAccuracy = "clean_accuracy", maskedAccuracy = "masked_accuracy"
    case complementaryAccuracy = "complementary_accuracy", sparsity, transform, param, model
    case epochsRun = "epochs_run", layout, scope, objective, lambda, lr, epochs, batch, seed, data
    case imageCount = "image_count", maskShape = "mask_shape", maskCount = "mask_count"
    case masksMeetingTarget = "masks_meeting_target", accuracyTarget = "accuracy_target", history, seeds
    case targetMet = "target_met", retentionTarget = "retention_target", groupLambdas = "group_lambdas", path
    case learningRetention = "learning_retention", validationRetention = "validation_retention"
    case validationCleanAccuracy = "validation_clean_accuracy", validationMaskedAccuracy = "validation_masked_accuracy"
    case learningImages = "learning_images", validationImages = "validation_images", converged
    case keptEpoch = "kept_epoch", groupKeptEpochs = "group_kept_epochs", optimizerSteps = "optimizer_steps"
  }

  public init(result r: MaskLearningResult, param: String, model: String, data: String) {
    cleanAccuracy = r.cleanAccuracy
    maskedAccuracy = r.maskedAccuracy
    complementaryAccuracy = r.complementaryAccuracy
    sparsity = r.sparsity
    transform = r.config.transform
    self.param = param
    self.model = model
    epochsRun = r.epochsRun
    layout = r.config.layout
    scope = r.config.scope
    objective = r.config.objective
    lambda = r.config.lambda
    lr = r.config.learningRate
    epochs = r.config.epochs
    batch = r.config.batchSize
    seed = r.config.seed
    self.data = data
    imageCount = r.imageCount
    maskShape = r.maskShape
    maskCount = r.maskCount
    masksMeetingTarget = r.masksMeetingTarget
    accuracyTarget = r.config.accuracyTarget
    history = r.history
    targetMet = r.targetMet
    learningRetention = r.retention
    validationRetention = r.validation?.retention
    validationCleanAccuracy = r.validation?.cleanAccuracy
    validationMaskedAccuracy = r.validation?.maskedAccuracy
    converged = r.converged
    if r.maskCount == 1, let kept = r.groupKeptEpoch.first { keptEpoch = kept }
    if r.config.scope == .class, r.groupKeptEpoch.count == r.maskCount { groupKeptEpochs = r.groupKeptEpoch }
    optimizerSteps = r.optimizerSteps
  }
}

/// A learned mask as read back from a `flens learn-mask` directory.
public struct LearnedMask: Sendable {
  /// All masks back to back (unshifted layout).
  public var allValues: [Float]
  public var summary: MaskSummary
  public var directory: String

  /// The first (for dataset scope: the only) mask.
  public var values: [Float] { Array(allValues.prefix(summary.maskShape.reduce(1, *))) }
  public var transform: TransformKind { summary.transform }
  public var layout: MaskLayout { summary.layout }
  public var shape: [Int] { summary.maskShape }

  /// Independent samples of this mask for statistics: the masks of every seed run
  /// (`seeds/<k>/mask.npy`) when the run had several seeds, otherwise every mask in this
  /// directory (one for a dataset mask; one per class or image otherwise).
  public func samples() throws -> [[Float]] {
    let size = shape.reduce(1, *)
    func split(_ all: [Float]) -> [[Float]] {
      stride(from: 0, to: all.count, by: size).map { Array(all[$0 ..< $0 + size]) }
    }
    guard let seeds = summary.seeds, seeds.count > 1 else { return split(allValues) }
    return try seeds.indices.flatMap { k in
      try split(MaskRunDirectory.read(MaskRunDirectory.seedDirectory(directory, k)).allValues)
    }
  }

  public init(allValues: [Float], summary: MaskSummary, directory: String) {
    self.allValues = allValues
    self.summary = summary
    self.directory = directory
  }
}

/// Reads and writes the directory layout of `flens learn-mask`:
/// `mask.npy` (unshifted; H×W or C×H×W, with a leading mask dimension for class and image
/// scopes), `theta.npy`, `summary.json`, `history.csv`, and `checkpoint.json` while running.
public enum MaskRunDirectory {
  public static func maskFile(_ dir: String) -> String { dir + "/mask.npy" }
  public static func summaryFile(_ dir: String) -> String { dir + "/summary.json" }
  public static func checkpointFile(_ dir: String) -> String { dir + "/checkpoint.json" }
  /// Where the run of the k-th seed (0-based) of a `--seeds K` run lives.
  public static func seedDirectory(_ dir: String, _ k: Int) -> String { dir + "/seeds/\(k)" }

  /// Writes the arrays and tables first and `summary.json` last, so a directory with a
  /// summary is complete.
  public static func write(_ result: MaskLearningResult, summary: MaskSummary, to dir: String) throws {
    let shape = result.maskCount == 1 ? result.maskShape : [result.maskCount] + result.maskShape
    try NPY.write(Tensor(shape: shape, data: result.masks), to: maskFile(dir))
    try NPY.write(Tensor(shape: [result.maskCount, result.theta.count / max(1, result.maskCount)], data: result.theta),
                  to: dir + "/theta.npy")
    var table = CSVTable(header: ["epoch", "learning_rate", "data_term", "distortion", "sparsity", "loss",
                                  "masked_accuracy", "images_per_s", "kept"])
    let keptEpoch = result.maskCount == 1 ? result.groupKeptEpoch.first : nil
    for h in result.history {
      table.append([h.epoch, h.learningRate, h.dataTerm, h.distortion, h.sparsity, h.loss, h.maskedAccuracy, h.imagesPerSecond,
                    h.epoch == keptEpoch ? 1 : 0])
    }
    try table.write(to: dir + "/history.csv")
    try AtomicFile.writeJSON(summary, to: summaryFile(dir))
  }

  public static func read(_ dir: String) throws -> LearnedMask {
    let summaryPath = summaryFile(dir)
    guard FileManager.default.fileExists(atPath: summaryPath) else {
      let targets = retentionDirectories(in: dir)
      guard targets.isEmpty else {
        throw FourierLensError.badFile(path: dir, reason: "not a mask directory: it holds \(targets.joined(separator: ", ")) "
                                         + "from `flens learn-mask --retention`; name one of those")
      }
      throw FourierLensError.badFile(path: dir, reason: "not a mask directory (no summary.json; was `flens learn-mask` finished?)")
    }
    let summary: MaskSummary
    do {
      summary = try JSONDecoder().decode(MaskSummary.self, from: Data(contentsOf: URL(fileURLWithPath: summaryPath)))
    } catch {
      throw FourierLensError.badFile(path: summaryPath, reason: "not a valid mask summary (\(error))")
    }
    let mask = try NPY.readTensor(maskFile(dir))
    let expected = summary.maskCount * summary.maskShape.reduce(1, *)
    guard mask.count == expected else {
      throw FourierLensError.badFile(path: maskFile(dir), reason: "holds \(mask.count) values, the summary describes \(summary.maskCount) masks of shape \(summary.maskShape)")
    }
    guard mask.isFinite else { throw FourierLensError.badFile(path: maskFile(dir), reason: "contains NaN or infinite values") }
    return LearnedMask(allValues: mask.data, summary: summary, directory: dir)
  }

  /// The `retention-<R>/` mask directories a `learn-mask --retention` run wrote in `dir`, sorted.
  public static func retentionDirectories(in dir: String) -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { name in
      var isDirectory: ObjCBool = false
      return name.hasPrefix("retention-")
        && FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
    }.sorted()
  }

  public static func writeCheckpoint(_ state: MaskLearnerState, to dir: String) throws {
    try AtomicFile.write(JSONEncoder().encode(state), to: checkpointFile(dir))
  }

  /// The checkpoint of an interrupted run, if there is one.
  public static func readCheckpoint(_ dir: String) throws -> MaskLearnerState? {
    try readResumeFile(MaskLearnerState.self, at: checkpointFile(dir), what: "checkpoint")
  }

  /// A JSON file a run resumes from, nil when absent; a corrupt one is an error naming it.
  static func readResumeFile<T: Decodable>(_ type: T.Type, at path: String, what: String) throws -> T? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    do {
      return try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    } catch {
      throw FourierLensError.badFile(path: path, reason: "corrupt \(what) (\(error)); delete it to start afresh")
    }
  }
}
