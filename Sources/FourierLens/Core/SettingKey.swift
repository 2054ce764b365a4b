/// A setting a user chooses, named once for every front end: the core's checks throw
/// `FourierLensError.badSetting` with it, and each front end says it in its own terms:
/// `flens` as its flag (`--lambda`), an experiment file as its key (`masks.lambda`), so a
/// bad value is reported where the user wrote it.
public enum SettingKey: String, CaseIterable, Sendable {
  // Mask learning.
  case lambda, learningRate, epochs, batchSize, warmup, accuracyTarget, patience, tolerance, seeds, scope, validation
  // The retention path of `--retention` / `masks.retention`.
  case retention, lambdaStart, lambdaFactor, lambdaMax, lambdaResolution
  // Training.
  case weightDecay, momentum, evaluationBatch, checkpointEvery, resume
  // Data and compute.
  case limit, offset, size, threads

  /// The `flens` flag, as the commands' error lines name it. Settings that no command sets
  /// (the mask's tolerance, the evaluation batch) keep the words the messages always used.
  public var flag: String {
    switch self {
    case .learningRate: return "--lr"
    case .batchSize: return "--batch"
    case .evaluationBatch: return "--eval-batch"
    default: return "--" + words.joined(separator: "-")
    }
  }

  /// The key inside its section of an experiment file (`lambda` of `masks:`, `lr` of a
  /// model, `accuracy_target`).
  public var fileKey: String {
    switch self {
    case .learningRate: return "lr"
    case .batchSize: return "batch"
    case .evaluationBatch: return "eval_batch"
    default: return words.joined(separator: "_")
    }
  }

  /// The case name split at its capitals: `lambdaStart` → ["lambda", "start"].
  private var words: [String] {
    var out: [String] = [""]
    for c in rawValue {
      if c.isUppercase { out.append(c.lowercased()) } else { out[out.count - 1].append(c) }
    }
    return out
  }
}
