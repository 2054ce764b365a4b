import Foundation

/// The adversarial examples of a dataset under an attack, labelled with the model's
/// predictions on them: the data of an adversarial map (Basile et al. 2023), a mask learned
/// to keep the *adversarial* prediction. `flens learn-mask --adversarial` makes them first
/// and hands `dataset` to the unchanged mask learner, so the paper's invariance objective
/// (the loss against these labels unchanged) keeps the adversarial predictions.
public struct AdversarialExamples {
  public var clean: Tensor
  public var adversarial: Tensor
  public var labels: [Int]
  /// The model's predictions on the adversarial images.
  public var adversarialPredictions: [Int]
  public var classNames: [String]
  public var attack: String

  /// Attacks every image of `dataset` in batches of `batchSize`; batch b uses the seed
  /// derive(seed, b), as `flens attack` does.
  public static func generate(from dataset: Dataset, attack: Attack, spec: String, model: Classifier, batchSize: Int,
                              seed: UInt64) throws -> AdversarialExamples {
    let n = dataset.info.count
    let batches = (n + batchSize - 1) / batchSize
    var clean: [Tensor] = [], adversarial: [Tensor] = [], labels: [Int] = [], predictions: [Int] = []
    for (b, start) in stride(from: 0, to: n, by: batchSize).enumerated() {
      let batch = try dataset.batch(Array(start..<min(n, start + batchSize)))
      let adv = try attack.perturb(batch, model: model, seed: SeededGenerator.derive(seed, UInt64(b)), batchIndex: b, of: batches,
                                   firstImage: start)
      clean.append(batch.images)
      adversarial.append(adv)
      labels += batch.labels
      predictions += ProbeEvaluation.predictions(try model.logits(adv), classes: model.classCount)
    }
    return AdversarialExamples(clean: Tensor.concatenate(clean), adversarial: Tensor.concatenate(adversarial), labels: labels,
                               adversarialPredictions: predictions, classNames: dataset.info.classes, attack: spec)
  }

  /// The adversarial images labelled with the adversarial predictions.
  public var dataset: InMemoryDataset {
    InMemoryDataset(batch: ImageBatch(images: adversarial, labels: adversarialPredictions, classNames: classNames), format: "adversarial")
  }

  public static let perturbationFile = "perturbation.npy"
  public static let recordFile = "adversarial.json"

  /// Writes `perturbation.npy` (adversarial − clean, N×C×H×W), `adversarial-labels.npy`
  /// (the adversarial predictions) and `adversarial.json` (`attack`, `count`,
  /// `adversarial_accuracy` against the true labels, `flipped_fraction`) into `directory`.
  public func write(to directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var delta = adversarial
    for j in 0..<delta.count { delta.data[j] -= clean.data[j] }
    try NPY.write(delta, to: directory + "/" + Self.perturbationFile)
    try NPY.write(ints: adversarialPredictions, shape: [adversarialPredictions.count], to: directory + "/adversarial-labels.npy")
    let n = Double(max(1, labels.count))
    let correct = zip(adversarialPredictions, labels).filter { $0 == $1 }.count
    let record: JSONValue = ["attack": .string(attack), "count": .number(Double(labels.count)),
                             "adversarial_accuracy": .number(Double(correct) / n),
                             "flipped_fraction": .number(Double(labels.count - correct) / n)]
    try AtomicFile.write(record.encoded(), to: directory + "/" + Self.recordFile)
  }
}
