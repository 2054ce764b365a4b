import Foundation

/// What image-scope masks say about the images' classes (the paper's third notebook):
/// a 2-D PCA embedding of the masks, and a linear probe that predicts the image's class from
/// its mask, against a shuffled-label control.
///
/// Mask i belongs to image i of the probe's data: `learn-mask --scope image` learns one mask
/// per image of its data in order, so the probe must read the same data and split (it uses
/// the first min(masks, images) of both). Features are the flattened masks (all channels of
/// a per-channel mask), or with `log` ln(max(M, 0) + 10⁻³), which spreads the near-zero
/// values sparse masks are made of.
///
/// - PCA: centred, not scaled (the masks share one unit), the first two components.
/// - Linear probe, per seed: a split stratified by class (`test` of each class's images held
///   out, at least one kept for training), features standardised with the training part's
///   mean and standard deviation, multinomial logistic regression with an L2 penalty fitted
///   by full-batch L-BFGS, accuracy on the held-out images. The control fits the same model
///   to a random permutation of the training labels: it measures what the fit finds in noise
///   (about chance, 1/K). Means over seeds with 95 % Student-t intervals.
public struct MaskEmbeddingProbe: Probe {
  public var name: String { Self.kind.name }
  public var analysis: LinearAnalysis
  public var logFeatures: Bool
  /// Fraction of each class's images held out for testing.
  public var testFraction: Double
  public var seeds: Int
  public var regression: SoftmaxRegressionSettings

  static let logFloor: Float = 1e-3

  public init(analysis: LinearAnalysis, logFeatures: Bool = false, testFraction: Double = 0.3, seeds: Int = 5,
              regression: SoftmaxRegressionSettings = SoftmaxRegressionSettings(l2: 1e-3)) throws {
    func bad(_ reason: String) -> FourierLensError { .badOption(name: "--probe embedding", reason: reason) }
    guard testFraction > 0, testFraction < 1 else { throw bad("test must be in (0, 1), got \(testFraction)") }
    guard (1...1000).contains(seeds) else { throw bad("seeds must be between 1 and 1000, got \(seeds)") }
    guard regression.l2.isFinite, regression.l2 >= 0 else { throw bad("l2 must be a finite number ≥ 0, got \(regression.l2)") }
    guard regression.maxIterations >= 1 else { throw bad("iterations must be ≥ 1, got \(regression.maxIterations)") }
    self.analysis = analysis
    self.logFeatures = logFeatures
    self.testFraction = testFraction
    self.seeds = seeds
    self.regression = regression
  }

  /// One mask per row, flattened, optionally log-scaled.
  func features(_ mask: LearnedMask, count n: Int) -> FeatureMatrix {
    let size = mask.shape.reduce(1, *)
    var values = Array(mask.allValues.prefix(n * size))
    if logFeatures { values = values.map { Foundation.log(max($0, 0) + Self.logFloor) } }
    return FeatureMatrix(rows: n, columns: size, values: values)
  }

  /// The training and test images of one seed: each class's images in a seeded order, the
  /// first round(test · m) of a class of m held out, but at least one kept for training.
  func split(labels: [Int], classes: Int, seed: UInt64) -> (train: [Int], test: [Int]) {
    var train: [Int] = [], test: [Int] = []
    for c in 0..<classes {
      let members = labels.indices.filter { labels[$0] == c }
      guard !members.isEmpty else { continue }
      let order = BatchStream.permutation(count: members.count, seed: SeededGenerator.derive(seed, UInt64(c)))
      let held = min(members.count - 1, Int((testFraction * Double(members.count)).rounded()))
      for (rank, k) in order.enumerated() {
        if rank < held { test.append(members[k]) } else { train.append(members[k]) }
      }
    }
    return (train.sorted(), test.sorted())
  }

  /// Standardises both parts with the training part's per-feature mean and standard deviation
  /// (a constant feature is only centred).
  static func standardised(train: FeatureMatrix, test: FeatureMatrix) -> (train: FeatureMatrix, test: FeatureMatrix) {
    let d = train.columns
    var mean = [Double](repeating: 0, count: d), square = [Double](repeating: 0, count: d)
    for i in 0..<train.rows {
      for (j, v) in train.row(i).enumerated() { mean[j] += Double(v); square[j] += Double(v) * Double(v) }
    }
    let n = Double(train.rows)
    let scale = (0..<d).map { j -> Double in
      mean[j] /= n
      let sd = max(0, square[j] / n - mean[j] * mean[j]).squareRoot()
      return sd > 1e-12 ? 1 / sd : 1
    }
    func apply(_ m: FeatureMatrix) -> FeatureMatrix {
      var values = m.values
      for i in values.indices { let j = i % d; values[i] = Float((Double(values[i]) - mean[j]) * scale[j]) }
      return FeatureMatrix(rows: m.rows, columns: d, values: values)
    }
    return (apply(train), apply(test))
  }

  /// Held-out accuracy of the true-label fit and of the shuffled-label control for one seed.
  func linearProbe(_ features: FeatureMatrix, labels: [Int], classes: Int, seed: UInt64) throws -> (accuracy: Double, shuffled: Double, trainCount: Int, testCount: Int) {
    let (trainIndices, testIndices) = split(labels: labels, classes: classes, seed: seed)
    guard !testIndices.isEmpty, trainIndices.count >= 2 else {
      throw FourierLensError.badOption(name: "--probe embedding",
                                       reason: "\(labels.count) images leave no test images at test=\(testFraction); give more images")
    }
    let (train, test) = Self.standardised(train: features.selecting(trainIndices), test: features.selecting(testIndices))
    let trainLabels = trainIndices.map { labels[$0] }, testLabels = testIndices.map { labels[$0] }
    func heldOutAccuracy(fittedTo y: [Int]) throws -> Double {
      let model = try analysis.fitSoftmaxRegression(train, labels: y, classes: classes, settings: regression)
      let predicted = model.predict(test)
      return Double(zip(predicted, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
    }
    let permutation = BatchStream.permutation(count: trainLabels.count, seed: SeededGenerator.derive(seed, 1 << 32))
    return (try heldOutAccuracy(fittedTo: trainLabels), try heldOutAccuracy(fittedTo: permutation.map { trainLabels[$0] }),
            trainIndices.count, testIndices.count)
  }

  /// The labels of the first n images.
  static func labels(of dataset: Dataset, count n: Int) throws -> [Int] {
    try stride(from: 0, to: n, by: 256).flatMap { start in try dataset.batch(Array(start..<min(n, start + 256))).labels }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    guard let mask = context.mask else {
      throw FourierLensError.badOption(name: "--probe embedding", reason: "needs --mask, a `flens learn-mask --scope image` directory")
    }
    guard mask.summary.scope == .image else {
      throw FourierLensError.badFile(path: mask.directory, reason: "holds a \(mask.summary.scope.rawValue)-scope mask; "
                                       + "--probe embedding needs one mask per image (`flens learn-mask --scope image`)")
    }
    let n = min(mask.summary.maskCount, context.dataset.info.count)
    let classNames = context.dataset.info.classes, k = classNames.count
    guard n >= 3, k >= 2 else {
      throw FourierLensError.badOption(name: "--probe embedding",
                                       reason: "needs at least 3 image masks and 2 classes, got \(n) images with masks and \(k) classes")
    }
    let labels = try Self.labels(of: context.dataset, count: n)
    let x = features(mask, count: n)
    let pca = try analysis.principalComponents(of: x, components: 2)

    var accuracy: [Double] = [], shuffled: [Double] = []
    var counts = (train: 0, test: 0)
    for s in 0..<seeds {
      let r = try linearProbe(x, labels: labels, classes: k, seed: SeededGenerator.derive(context.seed, UInt64(s)))
      accuracy.append(r.accuracy)
      shuffled.append(r.shuffled)
      counts = (r.trainCount, r.testCount)
    }
    let trueInterval = SeedInterval(accuracy), shuffledInterval = SeedInterval(shuffled)
    func summary(_ values: [Double], _ interval: SeedInterval) -> JSONValue {
      ["per_seed": .numbers(values), "mean": .number(interval.mean),
       "std": .number(interval.standardDeviation),
       "ci": interval.low.map { JSONValue.numbers([$0, interval.high!]) } ?? JSONValue.null]
    }
    var table = CSVTable(header: ["image", "class", "pc1", "pc2"])
    for i in 0..<n { table.append([i, classNames[labels[i]], pca.scores[2 * i], pca.scores[2 * i + 1]]) }
    let json: JSONValue = .object([
      "images": .number(Double(n)), "classes": .array(classNames.map { .string($0) }),
      "labels": .numbers(labels.map(Double.init)),
      "features": .string(logFeatures ? "log_mask" : "mask"), "feature_dimension": .number(Double(x.columns)),
      "transform": .string(mask.transform.rawValue),
      "pca": ["centred": .bool(true), "scaled": .bool(false),
              "explained_variance": .numbers(pca.explainedFraction),
              "variance": .numbers(pca.variances), "total_variance": .number(pca.totalVariance)],
      "linear_probe": ["seeds": .number(Double(seeds)), "test_fraction": .number(testFraction),
                       "train_images": .number(Double(counts.train)), "test_images": .number(Double(counts.test)),
                       "l2": .number(regression.l2), "standardised": .bool(true), "chance": .number(1 / Double(k)),
                       "accuracy": summary(accuracy, trueInterval), "shuffled_accuracy": summary(shuffled, shuffledInterval)],
    ])
    let plane = Array(mask.shape)
    return ProbeOutput(json: json, table: table, arrays: [
      "coordinates": Tensor(shape: [n, 2], data: pca.scores),
      "explained_variance": Tensor(shape: [2], data: pca.explainedFraction.map(Float.init)),
      "components": Tensor(shape: [2] + plane, data: pca.directions),
    ])
  }
}

extension MaskEmbeddingProbe {
  public static let kind = ProbeKind(
    name: "embedding", summary: "image masks (--mask from learn-mask --scope image): 2-D PCA by class, and a linear probe predicting the class from the mask vs shuffled labels",
    parameters: [
      ProbeParameter("log", .boolean, default: "false", help: "features ln(max(M, 0) + 1e-3) instead of M"),
      ProbeParameter("test", .number, default: "0.3", help: "held-out fraction of each class"),
      ProbeParameter("seeds", .integer, default: "5", help: "train/test splits"),
      ProbeParameter("l2", .number, default: "0.001", help: "L2 penalty of the logistic regression"),
      ProbeParameter("iterations", .integer, default: "500", help: "L-BFGS iterations at most"),
    ],
    needs: [.linearAnalysis, .imageMasks]
  ) { a, host in
    try MaskEmbeddingProbe(
      analysis: host.linearAnalysis!, logFeatures: a.bool("log")!, testFraction: a.double("test")!, seeds: a.int("seeds")!,
      regression: SoftmaxRegressionSettings(l2: a.double("l2")!, maxIterations: a.int("iterations")!))
  }
}
