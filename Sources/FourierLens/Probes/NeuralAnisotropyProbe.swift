import Foundation

/// Neural anisotropy directions (Ortiz-Jiménez et al. 2020, "Neural anisotropy
/// directions"): for an architecture, the test accuracy of a fresh network trained on
/// linearly separable data whose only discriminative direction is one Fourier basis image
/// v, for every frequency of a grid. It measures the architecture's directional bias before
/// any real data: a network that cannot pick out v (accuracy near 50 %) is blind to that
/// direction by construction, whatever it is later trained on. The trained network's
/// masks measure something else: which frequencies that one network uses on its data.
///
/// Data (the reference's `DirectionalLinearDataset`): x = ±(ε/2)·v + P⊥(σ·n), n standard
/// normal in every pixel and channel, P⊥ the projector onto the complement of v, label 0
/// for +, 1 for −, half each; a separate test set of the same law. v is the unit-norm real
/// cosine basis image of frequency (f_y, f_x) (the heat map's), the same in every channel
/// and divided by √C. The grid is `grid`×`grid` frequencies spaced H/grid and W/grid apart
/// from (−H/2, −W/2): v(f) = v(−f), so each ± pair is trained once and its accuracy shown
/// at both. Every network gets its own seed.
public struct NeuralAnisotropyProbe: Probe {
  public var name: String { Self.kind.name }
  public var readsOnlyTheArchitecture: Bool { true }
  public var makeTrainer: ArchitectureTrainerFactory
  public var training: FreshTrainingSettings
  public var grid: Int
  public var trainImages: Int
  public var testImages: Int
  public var sigma: Float
  public var epsilon: Float

  public init(makeTrainer: @escaping ArchitectureTrainerFactory, training: FreshTrainingSettings, grid: Int = 4,
              trainImages: Int = 2000, testImages: Int = 1000, sigma: Float = 3, epsilon: Float = 1) throws {
    func bad(_ reason: String) -> FourierLensError { .badOption(name: "--probe nad", reason: reason) }
    guard grid >= 1 else { throw bad("grid must be ≥ 1, got \(grid)") }
    guard trainImages >= 2, testImages >= 2 else { throw bad("train and test need at least 2 images each") }
    guard sigma >= 0, sigma.isFinite else { throw bad("sigma must be ≥ 0, got \(sigma)") }
    guard epsilon > 0, epsilon.isFinite else { throw bad("eps must be > 0, got \(epsilon)") }
    guard training.epochs >= 1 else { throw bad("epochs must be ≥ 1, got \(training.epochs)") }
    guard training.batchSize >= 2 else { throw bad("batch must be ≥ 2, got \(training.batchSize)") }
    if let lr = training.learningRate, !(lr > 0 && lr.isFinite) { throw bad("lr must be > 0, got \(lr)") }
    self.makeTrainer = makeTrainer
    self.training = training
    self.grid = grid
    self.trainImages = trainImages
    self.testImages = testImages
    self.sigma = sigma
    self.epsilon = epsilon
  }

  /// `count` images of the directional law for direction `v` (C×H×W, unit norm), labels
  /// alternating 0 (+ε/2·v) and 1 (−ε/2·v).
  public static func directionalData(v: [Float], shape: [Int], count: Int, sigma: Float, epsilon: Float,
                                     seed: UInt64) -> InMemoryDataset {
    let d = v.count
    var rng = SeededGenerator(seed: seed)
    var data = [Float](repeating: 0, count: count * d)
    var labels = [Int](repeating: 0, count: count)
    for i in 0..<count {
      let noise = (0..<d).map { _ in sigma * rng.nextGaussian() }
      let along = zip(noise, v).reduce(0) { $0 + $1.0 * $1.1 }
      let sign: Float = i % 2 == 0 ? 1 : -1
      labels[i] = i % 2
      for j in 0..<d { data[i * d + j] = sign * epsilon / 2 * v[j] + noise[j] - along * v[j] }
    }
    return InMemoryDataset(batch: ImageBatch(images: Tensor(shape: [count] + shape, data: data), labels: labels,
                                             classNames: ["plus", "minus"]), format: "directional")
  }

  /// The grid's frequencies in centred coordinates, row-major (f_y down the rows).
  func frequencies(height h: Int, width w: Int) -> [(fy: Int, fx: Int)] {
    (0..<grid).flatMap { i in (0..<grid).map { j in (-(h / 2) + i * h / grid, -(w / 2) + j * w / grid) } }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let shape = context.dataset.info.shape
    let (c, h, w) = (shape[0], shape[1], shape[2])
    guard grid <= h, grid <= w, h % grid == 0, w % grid == 0 else {
      throw FourierLensError.badOption(name: "--probe nad", reason: "grid=\(grid) must divide the \(h)×\(w) images")
    }
    let trainer = try makeTrainer(context.model.description, training)
    let points = frequencies(height: h, width: w)
    func wrap(_ f: Int, _ size: Int) -> Int { ((f % size) + size) % size }
    // One training per ± pair: the first grid point of each pair trains, its mirror copies.
    var trainedAt: [Int: Int] = [:]
    var order: [Int] = []
    for (index, p) in points.enumerated() {
      let key = wrap(p.fy, h) * w + wrap(p.fx, w), mirror = wrap(-p.fy, h) * w + wrap(-p.fx, w)
      if trainedAt[key] == nil && trainedAt[mirror] == nil { trainedAt[key] = index; order.append(index) }
    }
    let progress = ProgressReporter(label: "nad \(trainer.architecture)", total: order.count, unit: "net", quiet: !context.showsProgress)
    var accuracy = [Float](repeating: .nan, count: points.count)
    var trainAccuracy = [Float](repeating: .nan, count: points.count)
    for (k, index) in order.enumerated() {
      let p = points[index]
      let plane = FourierHeatmapProbe.basis(fy: p.fy, fx: p.fx, height: h, width: w)
      let scale = 1 / Float(c).squareRoot()
      let v = (0..<c).flatMap { _ in plane.map { $0 * scale } }
      let seed = SeededGenerator.derive(context.seed, UInt64(k))
      let train = Self.directionalData(v: v, shape: shape, count: trainImages, sigma: sigma, epsilon: epsilon,
                                       seed: SeededGenerator.derive(seed, 1))
      let test = Self.directionalData(v: v, shape: shape, count: testImages, sigma: sigma, epsilon: epsilon,
                                      seed: SeededGenerator.derive(seed, 2))
      let network = try trainer.trainFresh(on: train, classes: 2, seed: SeededGenerator.derive(seed, 3))
      let tested = Float(try ProbeEvaluation.accuracy(of: network, on: test, batchSize: context.batchSize).accuracy)
      let fitted = Float(try ProbeEvaluation.accuracy(of: network, on: train, batchSize: context.batchSize).accuracy)
      for (j, q) in points.enumerated() where (q.fy == p.fy && q.fx == p.fx)
        || (wrap(q.fy, h) == wrap(-p.fy, h) && wrap(q.fx, w) == wrap(-p.fx, w)) {
        accuracy[j] = tested
        trainAccuracy[j] = fitted
      }
      progress.advance(by: 1)
    }
    progress.finish()

    var table = CSVTable(header: ["freq_y", "freq_x", "test_accuracy", "train_accuracy"])
    for (j, p) in points.enumerated() { table.append([p.fy, p.fx, accuracy[j], trainAccuracy[j]]) }
    func rows(_ v: [Float]) -> JSONValue { .array((0..<grid).map { r in JSONValue.numbers(v[r * grid ..< (r + 1) * grid]) }) }
    return ProbeOutput(
      json: ["architecture": .string(trainer.architecture), "grid": .number(Double(grid)),
             "train_images": .number(Double(trainImages)), "test_images": .number(Double(testImages)),
             "sigma": .number(Double(sigma)), "eps": .number(Double(epsilon)), "networks": .number(Double(order.count)),
             "epochs": .number(Double(training.epochs)), "batch": .number(Double(training.batchSize)),
             "lr": training.learningRate.map { .number($0) } ?? .null,
             "freq_y": .array((0..<grid).map { .number(Double(points[$0 * grid].fy)) }),
             "freq_x": .array((0..<grid).map { .number(Double(points[$0].fx)) }),
             "layout": "rows: freq_y (centred, increasing downwards from -H/2), columns: freq_x (from -W/2); cycles per image",
             "test_accuracy": rows(accuracy), "train_accuracy": rows(trainAccuracy),
             "mean_test_accuracy": .number(Double(accuracy.reduce(0, +) / Float(accuracy.count)))],
      table: table, arrays: ["accuracy": Tensor(shape: [grid, grid], data: accuracy)])
  }
}

extension NeuralAnisotropyProbe {
  public static let kind = ProbeKind(
    name: "nad", summary: "neural anisotropy directions: accuracy of fresh networks of the model's architecture trained on data separable only along one Fourier direction",
    parameters: [
      ProbeParameter("grid", .integer, default: "4", help: "frequencies per side"),
      ProbeParameter("train", .integer, default: "2000", help: "training images per network"),
      ProbeParameter("test", .integer, default: "1000", help: "test images per network"),
      ProbeParameter("epochs", .integer, default: "4", help: "epochs per network"),
      ProbeParameter("batch", .integer, default: "128", help: "batch size"),
      ProbeParameter("lr", .number, default: "", help: "peak learning rate (empty: flens train's)"),
      ProbeParameter("sigma", .number, default: "3", help: "noise standard deviation"),
      ProbeParameter("eps", .number, default: "1", help: "the signal's amplitude"),
    ],
    needs: .trainers
  ) { a, host in
    let training = FreshTrainingSettings(epochs: a.int("epochs")!, batchSize: a.int("batch")!,
                                         learningRate: a.double("lr"))
    return try NeuralAnisotropyProbe(makeTrainer: host.trainers!, training: training, grid: a.int("grid")!,
                                     trainImages: a.int("train")!, testImages: a.int("test")!,
                                     sigma: a.float("sigma")!, epsilon: a.float("eps")!)
  }
}
