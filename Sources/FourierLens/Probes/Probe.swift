import Synchronization

/// What every probe is given.
public struct ProbeContext {
  public var model: Classifier
  public var dataset: Dataset
  /// The dataset mask to probe through (from `flens learn-mask`), if any. Reading it (or
  /// `maskedModel()`) is recorded in `maskWasRead`.
  public var mask: LearnedMask? {
    get {
      maskReads.flag.store(true, ordering: .relaxed)
      return storedMask
    }
    set { storedMask = newValue }
  }
  public var batchSize: Int
  public var seed: UInt64
  public var showsProgress: Bool

  private var storedMask: LearnedMask?
  /// A class, so that the copies a probe makes of its context record into the same flag.
  private let maskReads = MaskReads()

  public init(model: Classifier, dataset: Dataset, mask: LearnedMask? = nil, batchSize: Int = 128,
              seed: UInt64 = 0, showsProgress: Bool = true) {
    self.model = model
    self.dataset = dataset
    self.storedMask = mask
    self.batchSize = batchSize
    self.seed = seed
    self.showsProgress = showsProgress
  }

  /// Whether anything run with this context (or a copy of it) read the mask. A probe that
  /// did not gives the same output for any mask, so a host that probes several masks of one
  /// model (one per retention target) can run it once.
  public var maskWasRead: Bool { maskReads.flag.load(ordering: .relaxed) }

  /// The model seen through the mask (nil without a mask).
  public func maskedModel() throws -> MaskedClassifier? {
    guard let mask else { return nil }
    return try MaskedClassifier(base: model, mask: mask.values, transform: mask.transform, layout: mask.layout)
  }
}

/// Set, from any thread, when a probe reads its context's mask.
private final class MaskReads: Sendable {
  let flag = Atomic<Bool>(false)
}

/// What a probe found: a JSON document (`NAME.json`), a table (`NAME.csv`), and arrays
/// (`NAME.<key>.npy`) for anything image-shaped.
public struct ProbeOutput {
  public var json: JSONValue
  public var table: CSVTable
  public var arrays: [String: Tensor]

  public init(json: JSONValue, table: CSVTable, arrays: [String: Tensor] = [:]) {
    self.json = json
    self.table = table
    self.arrays = arrays
  }

  /// The output with `image_range: {split, offset, count}` in its JSON object (unchanged without a range).
  public func recordingImages(_ range: ImageRange?) -> ProbeOutput {
    guard let range, case .object(var fields) = json else { return self }
    fields["image_range"] = .object(["split": range.split.map { .string($0.rawValue) } ?? .null,
                                "offset": .number(Double(range.offset)), "count": .number(Double(range.count))])
    var out = self
    out.json = .object(fields)
    return out
  }
}

/// A measurement of a model (and optionally a mask) on data.
public protocol Probe {
  /// The file stem of the probe's outputs (`accuracy`, `heatmap`, `attack-pgd-linf`, ...).
  var name: String { get }
  /// True when the output depends only on the model's architecture and the images' shape
  /// (with the context's seed and batch size), not on its weights or the data: `nad`, which
  /// trains fresh networks. A host probing several models of one architecture runs it once.
  var readsOnlyTheArchitecture: Bool { get }
  func run(_ context: ProbeContext) throws -> ProbeOutput
}

extension Probe {
  public var readsOnlyTheArchitecture: Bool { false }
}

/// Accuracy counting shared by the probes.
public enum ProbeEvaluation {
  /// Index of the largest logit of each row.
  public static func predictions(_ logits: [Float], classes k: Int) -> [Int] {
    (0..<(logits.count / k)).map { row in
      var best = 0
      for j in 1..<k where logits[row * k + j] > logits[row * k + best] { best = j }
      return best
    }
  }

  /// Fraction of images classified correctly after `transform` (identity when nil).
  public static func accuracy(of model: Classifier, on dataset: Dataset, batchSize: Int,
                              transform: ((ImageBatch, Int) throws -> Tensor)? = nil,
                              progress: ProgressReporter? = nil) throws -> (accuracy: Float, count: Int) {
    let n = dataset.info.count
    var correct = 0
    var batchIndex = 0
    for start in stride(from: 0, to: n, by: batchSize) {
      let batch = try dataset.batch(Array(start..<min(n, start + batchSize)))
      let input = try transform?(batch, batchIndex) ?? batch.images
      let predicted = predictions(try model.logits(input), classes: model.classCount)
      correct += zip(predicted, batch.labels).filter { $0 == $1 }.count
      batchIndex += 1
      progress?.advance(by: batch.count)
    }
    return (n == 0 ? 0 : Float(correct) / Float(n), n)
  }
}
