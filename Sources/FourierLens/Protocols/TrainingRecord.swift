/// How a model was made: the `training` object of `model.json`.
///
/// Every entry is optional (an imported model has none of the training settings, a trained
/// one none of the import's) and keeps its JSON type: counts and rates are numbers,
/// switches booleans. Plugin specs (`augment`, `adversarial`) stay in the `name:key=value`
/// form every command reads them in. `model.json` files written before the record was
/// typed hold every value as a string; they still read (a string that spells a value of
/// the entry's type is taken as that value). Keys this version does not know (written by
/// hand or by another tool) are kept in `other`, so reading and saving a model loses nothing.
public struct TrainingRecord: Codable, Equatable, Sendable {
  // The data.
  /// The data directory the model was trained on.
  public var data: String?
  /// The data's format (`cifar10`, `npy`, ...); for an imported model, what was imported
  /// (`torchscript` or `state_dict`).
  public var format: String?
  /// Training images (after `--limit`).
  public var trainImages: Int?
  /// The images trained on, and the test images that chose the kept epoch (`split`,
  /// `offset`, `count`).
  public var trainRange: ImageRange?
  public var testRange: ImageRange?
  public var grayscale: Bool?
  /// `--size` as `HxW`, when the images were resized.
  public var size: String?
  /// The experiment file's `name` and the model's name in it (`flens run`).
  public var experiment: String?
  public var modelName: String?

  // The run.
  /// Epochs asked for.
  public var epochs: Int?
  /// The epoch (1-based) whose weights were kept: the one with the best test accuracy.
  public var epoch: Int?
  public var batch: Int?
  /// Peak learning rate of the one-cycle schedule.
  public var lr: Double?
  public var optimizer: OptimizerKind?
  public var weightDecay: Double?
  /// The learning-rate schedule, in words.
  public var schedule: String?
  public var seed: UInt64?
  /// Augmentation plugin specs, comma-separated as `--augment` takes them.
  public var augment: String?
  /// The attack plugin spec of adversarial training.
  public var adversarial: String?
  /// Accuracy (fraction in [0, 1]) on the test split at `epoch`.
  public var testAccuracy: Double?

  // Other origins.
  /// The file `flens import` read.
  public var importedFrom: String?
  /// Set on the description of a model seen through a Fourier mask (probes).
  public var seenThroughMask: Bool?
  /// Entries of other names, as found in the file.
  public var other: [String: JSONValue] = [:]

  public init(
    data: String? = nil, format: String? = nil, trainImages: Int? = nil, grayscale: Bool? = nil, size: String? = nil,
    trainRange: ImageRange? = nil, testRange: ImageRange? = nil,
    experiment: String? = nil, modelName: String? = nil, epochs: Int? = nil, epoch: Int? = nil, batch: Int? = nil,
    lr: Double? = nil, optimizer: OptimizerKind? = nil, weightDecay: Double? = nil, schedule: String? = nil,
    seed: UInt64? = nil, augment: String? = nil, adversarial: String? = nil, testAccuracy: Double? = nil,
    importedFrom: String? = nil, seenThroughMask: Bool? = nil, other: [String: JSONValue] = [:]
  ) {
    self.data = data
    self.format = format
    self.trainImages = trainImages
    self.trainRange = trainRange
    self.testRange = testRange
    self.grayscale = grayscale
    self.size = size
    self.experiment = experiment
    self.modelName = modelName
    self.epochs = epochs
    self.epoch = epoch
    self.batch = batch
    self.lr = lr
    self.optimizer = optimizer
    self.weightDecay = weightDecay
    self.schedule = schedule
    self.seed = seed
    self.augment = augment
    self.adversarial = adversarial
    self.testAccuracy = testAccuracy
    self.importedFrom = importedFrom
    self.seenThroughMask = seenThroughMask
    self.other = other
  }

  /// The JSON keys (snake_case, as README documents them).
  enum Key: String, CaseIterable {
    case data, format, trainImages = "train_images", trainRange = "train_range", testRange = "test_range", grayscale, size, experiment, modelName = "model_name"
    case epochs, epoch, batch, lr, optimizer, weightDecay = "weight_decay", schedule, seed, augment, adversarial
    case testAccuracy = "test_accuracy", importedFrom = "imported_from", seenThroughMask = "seen_through_mask"
  }

  /// Any key: the record's own and the unknown ones kept in `other`.
  struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ key: Key) { stringValue = key.rawValue }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: AnyKey.self)
    func value<T: Decodable & LosslessStringConvertible>(_ key: Key, _: T.Type = T.self) throws -> T? {
      let k = AnyKey(key)
      guard c.contains(k), try !c.decodeNil(forKey: k) else { return nil }
      if let typed = try? c.decode(T.self, forKey: k) { return typed }
      // Files written before the record was typed: the value as a string.
      let text = try c.decode(String.self, forKey: k)
      guard let parsed = T(text) else {
        throw DecodingError.dataCorruptedError(forKey: k, in: c, debugDescription: "'\(text)' is not a value of type \(T.self)")
      }
      return parsed
    }
    data = try value(.data)
    format = try value(.format)
    trainImages = try value(.trainImages)
    trainRange = try c.decodeIfPresent(ImageRange.self, forKey: AnyKey(.trainRange))
    testRange = try c.decodeIfPresent(ImageRange.self, forKey: AnyKey(.testRange))
    grayscale = try value(.grayscale)
    size = try value(.size)
    experiment = try value(.experiment)
    modelName = try value(.modelName)
    epochs = try value(.epochs)
    epoch = try value(.epoch)
    batch = try value(.batch)
    lr = try value(.lr)
    optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: AnyKey(.optimizer))
    weightDecay = try value(.weightDecay)
    schedule = try value(.schedule)
    seed = try value(.seed)
    augment = try value(.augment)
    adversarial = try value(.adversarial)
    testAccuracy = try value(.testAccuracy)
    importedFrom = try value(.importedFrom)
    seenThroughMask = try value(.seenThroughMask)
    let known = Set(Key.allCases.map(\.rawValue))
    for k in c.allKeys where !known.contains(k.stringValue) {
      other[k.stringValue] = try c.decode(JSONValue.self, forKey: k)
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: AnyKey.self)
    try c.encodeIfPresent(data, forKey: AnyKey(.data))
    try c.encodeIfPresent(format, forKey: AnyKey(.format))
    try c.encodeIfPresent(trainImages, forKey: AnyKey(.trainImages))
    try c.encodeIfPresent(trainRange, forKey: AnyKey(.trainRange))
    try c.encodeIfPresent(testRange, forKey: AnyKey(.testRange))
    try c.encodeIfPresent(grayscale, forKey: AnyKey(.grayscale))
    try c.encodeIfPresent(size, forKey: AnyKey(.size))
    try c.encodeIfPresent(experiment, forKey: AnyKey(.experiment))
    try c.encodeIfPresent(modelName, forKey: AnyKey(.modelName))
    try c.encodeIfPresent(epochs, forKey: AnyKey(.epochs))
    try c.encodeIfPresent(epoch, forKey: AnyKey(.epoch))
    try c.encodeIfPresent(batch, forKey: AnyKey(.batch))
    try c.encodeIfPresent(lr, forKey: AnyKey(.lr))
    try c.encodeIfPresent(optimizer, forKey: AnyKey(.optimizer))
    try c.encodeIfPresent(weightDecay, forKey: AnyKey(.weightDecay))
    try c.encodeIfPresent(schedule, forKey: AnyKey(.schedule))
    try c.encodeIfPresent(seed, forKey: AnyKey(.seed))
    try c.encodeIfPresent(augment, forKey: AnyKey(.augment))
    try c.encodeIfPresent(adversarial, forKey: AnyKey(.adversarial))
    try c.encodeIfPresent(testAccuracy, forKey: AnyKey(.testAccuracy))
    try c.encodeIfPresent(importedFrom, forKey: AnyKey(.importedFrom))
    try c.encodeIfPresent(seenThroughMask, forKey: AnyKey(.seenThroughMask))
    for (key, value) in other where Key(rawValue: key) == nil {
      try c.encode(value, forKey: AnyKey(stringValue: key))
    }
  }
}
