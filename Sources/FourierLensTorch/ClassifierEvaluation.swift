import FourierLens

/// Accuracy of any `Classifier` on a `Dataset`, clean or under an attack.
public enum ClassifierEvaluation {
  /// Index of the largest logit of each row of a row-major [N, K] array (first one on ties).
  public static func argmax(_ logits: [Float], classes k: Int) -> [Int] {
    precondition(k > 0 && logits.count % k == 0)
    let n = logits.count / k
    var out = [Int](repeating: 0, count: n)
    logits.withUnsafeBufferPointer { z in
      for i in 0 ..< n {
        var best = 0
        var bestValue = z[i * k]
        for j in 1 ..< k where z[i * k + j] > bestValue {
          best = j
          bestValue = z[i * k + j]
        }
        out[i] = best
      }
    }
    return out
  }

  /// Fraction of the dataset's images whose top logit is the true label.
  public static func accuracy(of model: Classifier, on dataset: Dataset, batchSize: Int = 500, limit: Int? = nil) throws -> Double {
    let result = try evaluate(model, on: dataset, attack: nil, batchSize: batchSize, limit: limit, seed: 0)
    return result.accuracy
  }

  public struct Result: Codable, Equatable, Sendable {
    public var accuracy: Double
    public var count: Int
    /// Accuracy on the attacked images (nil without an attack).
    public var robustAccuracy: Double?
  }

  /// Clean accuracy and, with an attack, robust accuracy: an image counts as robust when
  /// the model classifies its adversarial version correctly. Attack seeds are derived
  /// from `seed` and the batch index.
  public static func evaluate(_ model: Classifier, on dataset: Dataset, attack: Attack?, batchSize: Int,
                              limit: Int?, seed: UInt64) throws -> Result {
    let total = min(dataset.info.count, limit ?? Int.max)
    guard total > 0 else { throw FourierLensError.message("the dataset has no images to evaluate") }
    guard dataset.info.shape == model.description.input else {
      throw FourierLensError.shapeMismatch("the data has images of shape \(dataset.info.shape), the model expects \(model.description.input)")
    }
    guard dataset.info.classes.count <= model.description.classes.count else {
      throw FourierLensError.shapeMismatch("the data has \(dataset.info.classes.count) classes, the model \(model.description.classes.count)")
    }
    let k = model.description.classes.count
    var correct = 0
    var robust = 0
    var start = 0
    var batchIndex: UInt64 = 0
    while start < total {
      let end = min(start + max(1, batchSize), total)
      let batch = try dataset.batch(Array(start ..< end))
      let predicted = argmax(try model.logits(batch.images), classes: k)
      correct += zip(predicted, batch.labels).filter { $0 == $1 }.count
      if let attack {
        let adversarial = try attack.perturb(batch, model: model, seed: SeededGenerator.derive(seed, batchIndex))
        let robustPredicted = argmax(try model.logits(adversarial), classes: k)
        robust += zip(robustPredicted, batch.labels).filter { $0 == $1 }.count
      }
      start = end
      batchIndex += 1
    }
    return Result(accuracy: Double(correct) / Double(total), count: total,
                  robustAccuracy: attack == nil ? nil : Double(robust) / Double(total))
  }
}
