import Foundation
import FourierLens

/// `embedding.json` with `embedding.coordinates.npy` of `flens probe --probe embedding`: the
/// image masks' 2-D PCA embedding by class, and the linear probe's held-out accuracy against
/// the shuffled-label control.
public struct EmbeddingProbeResult: Equatable, Sendable {
  /// A mean over seeds with its 95 % interval (nil for one seed).
  public struct Accuracy: Equatable, Sendable {
    public var mean: Double
    public var interval: [Double]?
    public var perSeed: [Double]
  }

  public var classes: [String]
  /// The class index of every image.
  public var labels: [Int]
  /// n×2 PCA coordinates, row-major.
  public var coordinates: [Float]
  /// The share of the total variance along PC1 and PC2.
  public var explainedVariance: [Double]
  /// `mask` or `log_mask`.
  public var features: String
  public var accuracy: Accuracy
  public var shuffledAccuracy: Accuracy
  public var chance: Double
  public var seeds: Int
  public var trainImages: Int
  public var testImages: Int

  static func read(_ file: ProbeFile) throws -> EmbeddingProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    let (coordinates, npy) = try file.requiredArray("coordinates")
    guard coordinates.rank == 2, coordinates.shape[1] == 2, coordinates.isFinite else {
      throw FourierLensError.badFile(path: npy, reason: "expected a finite n×2 array, got shape \(coordinates.shape)")
    }
    let classes = (json["classes"]?.arrayValue ?? []).compactMap(\.stringValue)
    let labels = (json["labels"]?.arrayValue ?? []).compactMap { $0.doubleValue.map { Int($0) } }
    guard labels.count == coordinates.shape[0], labels.allSatisfy({ classes.indices.contains($0) }) else {
      throw FourierLensError.badFile(path: file.json, reason: "needs one label per row of \(npy), each an index into `classes`")
    }
    let pca = json["pca"], probe = json["linear_probe"]
    let explained = (pca?["explained_variance"]?.arrayValue ?? []).compactMap(\.doubleValue)
    func accuracy(_ key: String) throws -> Accuracy {
      guard let a = probe?[key], let mean = a["mean"]?.doubleValue else {
        throw FourierLensError.badFile(path: file.json, reason: "missing `linear_probe.\(key).mean`")
      }
      let ci = a["ci"]?.arrayValue?.compactMap(\.doubleValue)
      return Accuracy(mean: mean, interval: ci?.count == 2 ? ci : nil,
                      perSeed: (a["per_seed"]?.arrayValue ?? []).compactMap(\.doubleValue))
    }
    guard explained.count == 2, let chance = probe?["chance"]?.doubleValue else {
      throw FourierLensError.badFile(path: file.json, reason: "needs `pca.explained_variance` (two numbers) and `linear_probe.chance`")
    }
    func count(_ key: String) -> Int { probe?[key]?.doubleValue.map { Int($0) } ?? 0 }
    return EmbeddingProbeResult(classes: classes, labels: labels, coordinates: coordinates.data, explainedVariance: explained,
                                features: json["features"]?.stringValue ?? "mask", accuracy: try accuracy("accuracy"),
                                shuffledAccuracy: try accuracy("shuffled_accuracy"), chance: chance, seeds: count("seeds"),
                                trainImages: count("train_images"), testImages: count("test_images"))
  }
}
