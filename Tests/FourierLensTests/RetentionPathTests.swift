import Foundation
import Testing
@testable import FourierLens

/// `learn-mask --retention`: the regularisation path, the choice per target, and resume,
/// on a planted problem whose sparsest mask at a given retention is known.
@Suite struct RetentionPathTests {
  static let side = 8
  /// Unshifted indices of the planted frequencies: (0, ±2) horizontal and (±2, 0) vertical.
  static let planted: Set<Int> = [2, 6, 2 * side, 6 * side]

  /// Four classes: class y = 2·a + b carries a horizontal cosine of sign (−1)^a and a
  /// vertical cosine of sign (−1)^b at frequency 2, under white noise. The linear model reads
  /// exactly those two cosines, so its logits through a mask depend only on the mask at the
  /// four planted frequencies, and scaling both pairs by any positive factor keeps every
  /// prediction. Dropping either pair leaves two classes indistinguishable (at most 50 %
  /// accuracy), so the sparsest mask with ≥ 90 % of clean accuracy keeps exactly the
  /// planted frequencies and nothing else.
  ///
  /// With `bias` favouring class 0, shrinking the planted pairs lets the bias win, so
  /// accuracy falls as λ grows and the path ends by losing the smallest target.
  static func problem(count: Int = 32, bias: Double = 0) -> (InMemoryDataset, LinearSoftmaxClassifier) {
    let n = side * side
    let horizontal = (0..<n).map { cos(2 * Double.pi * 2 * Double($0 % side) / Double(side)) }
    let vertical = (0..<n).map { cos(2 * Double.pi * 2 * Double($0 / side) / Double(side)) }
    var rng = SeededGenerator(seed: 5)
    var data = [Float](), labels = [Int]()
    func sign(_ bit: Int) -> Double { bit == 0 ? 1 : -1 }
    for i in 0..<count {
      let y = i % 4
      labels.append(y)
      for j in 0..<n {
        data.append(Float(0.5 + 0.05 * Double(rng.nextGaussian())
                            + 0.12 * (sign(y / 2) * horizontal[j] + sign(y % 2) * vertical[j])))
      }
    }
    let weights = (0..<4).flatMap { y in (0..<n).map { 0.4 * (sign(y / 2) * horizontal[$0] + sign(y % 2) * vertical[$0]) } }
    let batch = ImageBatch(images: Tensor(shape: [count, 1, side, side], data: data), labels: labels,
                           classNames: ["a", "b", "c", "d"])
    let model = LinearSoftmaxClassifier(weights: weights, bias: [bias, 0, 0, 0], input: [1, side, side],
                                        mean: [0.5], std: [0.25])
    return (InMemoryDataset(batch: batch, format: "planted"), model)
  }

  static func job(_ data: InMemoryDataset, _ model: LinearSoftmaxClassifier, targets: [Float],
                  scope: MaskScope = .dataset, seeds: Int = 1) -> MaskLearningJob {
    var config = MaskLearningConfig()
    config.scope = scope
    config.epochs = 60
    config.batchSize = 16
    config.learningRate = 0.05
    config.seed = 3
    var job = MaskLearningJob(model: model, modelName: "planted", dataset: data, dataName: "planted", paramSpec: "identity",
                              makeParameterization: { IdentityMask(shape: [side, side]) }, config: config)
    var path = RetentionPathConfig(targets: targets)
    path.startLambda = 0.02
    path.stepFactor = 2
    path.maxLambda = 40
    job.retention = path
    job.seeds = seeds
    job.showsProgress = false
    return job
  }

  static func temporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("retention-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  /// (a) The mask kept at R = 0.9 holds exactly the planted frequencies.
  @Test func keepsExactlyThePlantedFrequenciesAtTheTarget() throws {
    let (data, model) = Self.problem()
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let summaries = try Self.job(data, model, targets: [0.9]).runRetention(to: dir)
    let s = try #require(summaries.first)
    #expect(s.cleanAccuracy == 1)
    #expect(s.retentionTarget == 0.9 && s.targetMet == true && s.masksMeetingTarget == 1)
    #expect(s.maskedAccuracy >= 0.9 * s.cleanAccuracy)
    let mask = try MaskRunDirectory.read(dir + "/retention-0.9")
    let on = Self.planted.map { mask.allValues[$0] }
    let off = mask.allValues.indices.filter { !Self.planted.contains($0) }.map { mask.allValues[$0] }
    #expect(on.allSatisfy { $0 > 0.01 }, "planted values \(on)")
    #expect(off.max()! < 1e-3, "largest value off the planted frequencies \(off.max()!)")
    // Sparser than any single-λ mask can be without the planted pairs: only they carry mass.
    #expect(abs(s.sparsity - on.reduce(0, +) / 64) < 1e-3)
    // Every positive scale of the planted pairs keeps every prediction, so the path keeps
    // its accuracy up to the λ cap while the mass elsewhere goes to zero; the mask kept is
    // the path's sparsest.
    let path = try #require(s.path)
    #expect(path.count > 3 && path.last!.lambda <= 40 && path.last!.lambda * 2 > 40)
    #expect(s.lambda == path.min { $0.sparsity < $1.sparsity }!.lambda)
  }

  /// (b) The bracket grows λ geometrically, every bracketing step before its last meets the
  /// smallest target, narrowing steps lie inside the bracket, a looser target is never less
  /// sparse, and path.csv / summary.json hold the documented keys.
  @Test func pathIsMonotoneAndFilesHoldWhatREADMESays() throws {
    let (data, model) = Self.problem(bias: 7)
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var job = Self.job(data, model, targets: [0.99, 0.9])
    job.retention!.maxLambda = 1000
    let summaries = try job.runRetention(to: dir)
    #expect(summaries.map(\.retentionTarget) == [0.99, 0.9])
    let path = try #require(summaries[0].path)
    #expect(path.count >= 2)
    let bracket = Array(path.enumerated().prefix { i, p in p.lambda == job.retention!.lambda(at: i) }.map(\.element))
    for (i, p) in bracket.enumerated() where i + 1 < bracket.count {
      #expect(p.retention >= 0.9, "step \(i) retention \(p.retention) before the end")
    }
    // The bracket ends because accuracy fell below the smallest target, not at the cap.
    #expect(bracket.last!.retention < 0.9)
    #expect(bracket.last!.lambda < 1000)
    // Bisection steps lie strictly inside the bracket.
    for p in path.dropFirst(bracket.count) {
      #expect(p.lambda > bracket[0].lambda && p.lambda < bracket.last!.lambda)
    }
    #expect(path.allSatisfy { $0.converged == true }, "\(path.map(\.converged))")
    #expect(summaries[1].sparsity <= summaries[0].sparsity)
    // Here the looser target is met one λ further along, by a strictly sparser mask.
    #expect(summaries[1].lambda > summaries[0].lambda && summaries[1].sparsity < summaries[0].sparsity)
    for s in summaries {
      #expect(s.maskedAccuracy >= s.retentionTarget! * s.cleanAccuracy)
      // The λ found is the sparsest qualifying step of the path.
      let qualifying = path.filter { $0.retention >= s.retentionTarget! }
      #expect(s.sparsity == qualifying.map(\.sparsity).min())
    }
    // summary.json keys.
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/retention-0.9/summary.json"))) as! [String: Any]
    for key in ["retention_target", "lambda", "target_met", "path", "masks_meeting_target", "clean_accuracy",
                "masked_accuracy", "sparsity"] {
      #expect(json[key] != nil, "summary.json lacks \(key)")
    }
    let point = try #require((json["path"] as? [[String: Any]])?.first)
    #expect(Set(point.keys).isSuperset(of: ["lambda", "masked_accuracy", "sparsity"]))
    for file in ["mask.npy", "theta.npy", "history.csv", "mask.png", "examples.png"] {
      #expect(FileManager.default.fileExists(atPath: dir + "/retention-0.99/" + file), "missing \(file)")
    }
    // path.csv: one row per λ, the same numbers as the summary's path.
    let lines = try String(contentsOfFile: dir + "/path.csv", encoding: .utf8).split(separator: "\n")
    let header = lines[0].split(separator: ",").map(String.init)
    for column in ["seed", "group", "lambda", "masked_accuracy", "clean_accuracy", "retention", "sparsity"] {
      #expect(header.contains(column), "path.csv lacks \(column)")
    }
    #expect(lines.count == path.count + 1)
    for (line, p) in zip(lines.dropFirst(), path) {
      let cells = Dictionary(uniqueKeysWithValues: zip(header, line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
      #expect(Float(cells["lambda"]!) == p.lambda && Float(cells["sparsity"]!) == p.sparsity)
      #expect(Float(cells["masked_accuracy"]!) == p.maskedAccuracy && cells["seed"] == "3")
    }
  }

  /// (c) Interrupted at several moments and resumed each time, the run ends with the same
  /// files as an uninterrupted one; identical seeds give identical masks.
  @Test func resumeAfterInterruptionsEqualsAnUninterruptedRun() throws {
    let (data, model) = Self.problem()
    let reference = try Self.temporaryDirectory(), again = try Self.temporaryDirectory()
    let resumed = try Self.temporaryDirectory()
    defer { for d in [reference, again, resumed] { try? FileManager.default.removeItem(atPath: d) } }
    let targets: [Float] = [0.95, 0.6]
    try Self.job(data, model, targets: targets).runRetention(to: reference)
    try Self.job(data, model, targets: targets).runRetention(to: again)
    func bytes(_ dir: String, _ file: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + file)) }
    let files = ["retention-0.95/mask.npy", "retention-0.6/mask.npy", "retention-0.6/theta.npy"]
    for f in files { #expect(try bytes(again, f) == bytes(reference, f), "\(f) differs between identical runs") }

    // Stop after 5, then 23, then 41 more polls (inside λ steps, at different epochs and
    // steps), resuming each time, then let it finish.
    var interruptions = 0
    for stopAfter in [5, 23, 41] {
      var job = Self.job(data, model, targets: targets)
      job.resume = interruptions > 0
      var polls = 0
      job.shouldStop = { polls += 1; return polls > stopAfter }
      do {
        try job.runRetention(to: resumed)
        Issue.record("the run finished before its interruption after \(stopAfter) polls")
      } catch let stop as Interrupted {
        // The path's own learner stopped: its checkpoint is in the run's directory.
        #expect(stop.checkpoint == MaskRunDirectory.checkpointFile(resumed), "\(stop)")
        interruptions += 1
      }
    }
    #expect(interruptions == 3)
    #expect(FileManager.default.fileExists(atPath: resumed + "/path-state.json"))
    var job = Self.job(data, model, targets: targets)
    job.resume = true
    try job.runRetention(to: resumed)
    for f in files + ["path.csv"] { #expect(try bytes(resumed, f) == bytes(reference, f), "\(f) differs after resume") }
  }

  /// Class scope: one choice per class, each meeting the target on its own images.
  @Test func classScopeChoosesPerClass() throws {
    let (data, model) = Self.problem()
    let dir = try Self.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let s = try Self.job(data, model, targets: [0.9], scope: .class, seeds: 2).runRetention(to: dir)[0]
    #expect(s.maskCount == 4 && s.seeds?.count == 2)
    for k in 0..<2 {
      let seed = try MaskRunDirectory.read(dir + "/retention-0.9/seeds/\(k)")
      #expect(seed.summary.groupLambdas?.count == 4)
      #expect(seed.summary.targetMet == true)
    }
    let lines = try String(contentsOfFile: dir + "/path.csv", encoding: .utf8).split(separator: "\n")
    // Two seeds × four classes per λ.
    #expect((lines.count - 1) % 8 == 0 && lines.count > 1)
  }

  /// The choice itself, on a hand-made path: sparsest qualifying step per group, else the closest.
  @Test func choicePicksTheSparsestQualifyingStepPerGroup() {
    func step(_ lambda: Float, masked: [Float], sparsity: [Float]) -> RetentionPathStep {
      var r = MaskLearningResult(config: MaskLearningConfig(), parameterization: "x", maskShape: [1], maskCount: 2,
                                 masks: [1, 1], theta: [lambda, -lambda], imageCount: 20, cleanAccuracy: 1,
                                 maskedAccuracy: 1, complementaryAccuracy: 0, sparsity: 1, epochsRun: 1,
                                 masksMeetingTarget: 2, history: [])
      r.groupImageCount = [10, 10]
      r.groupCleanAccuracy = [1, 0.5]
      r.groupMaskedAccuracy = masked
      r.groupSparsity = sparsity
      return RetentionPathStep(lambda: lambda, warmStart: nil, refines: false, result: r)
    }
    let path = [step(1, masked: [1, 0.5], sparsity: [0.9, 0.8]),
                step(2, masked: [0.95, 0.4], sparsity: [0.5, 0.6]),
                step(4, masked: [0.7, 0.2], sparsity: [0.2, 0.3])]
    let c = RetentionChoice(target: 0.9, path: path)
    #expect(c.stepOfGroup == [1, 0] && c.metByGroup == [true, true])
    #expect(c.theta(from: path) == [2, -1])
    let strict = RetentionChoice(target: 1, path: [path[1], path[2]])
    #expect(strict.metByGroup == [false, false] && strict.stepOfGroup == [0, 0])
  }

  @Test func refusesBadTargetsAndPaths() {
    for (targets, start, factor, cap) in [([Float](), 0.01, 2, 1), ([0], 0.01, 2, 1), ([1.5], 0.01, 2, 1),
                                          ([0.9, 0.9], 0.01, 2, 1), ([0.9], 0, 2, 1), ([0.9], 0.01, 1, 1),
                                          ([0.9], 0.1, 2, 0.01)] as [([Float], Float, Float, Float)] {
      var p = RetentionPathConfig(targets: targets)
      (p.startLambda, p.stepFactor, p.maxLambda) = (start, factor, cap)
      #expect(throws: FourierLensError.self, "\(targets) \(start) \(factor) \(cap)") { try p.validate() }
    }
  }
}
