import Foundation
import FourierLens

/// The regularisation path of a `flens learn-mask --retention` run as the report shows it:
/// every λ tried (from `path.csv`, beside the `retention-<R>/` mask directories) and the λ
/// each target R chose (from each `retention-<R>/summary.json`).
///
/// `path.csv` has one row per seed, step and mask (group); a step of a class-scope run is
/// summarised here as the learner summarises it, image-weighted over its groups, so a
/// dataset mask's row is taken as it is.
public struct LambdaPath: Equatable, Sendable {
  /// One λ of one seed's path.
  public struct Step: Equatable, Sendable {
    public var seed: UInt64
    /// Its place in the order tried (bracketing, then narrowing).
    public var step: Int
    public var lambda: Float
    public var sparsity: Float
    public var cleanAccuracy: Float
    public var maskedAccuracy: Float
    public var images: Int
    /// On the validation images (nil without them).
    public var validationCleanAccuracy: Float?
    public var validationMaskedAccuracy: Float?
    public var validationImages: Int?
    /// Nil where the run did not record it (older runs).
    public var converged: Bool?
    public var optimizerSteps: Int?
    public var warmStartStep: Int?

    /// Masked / clean accuracy on the learning images, and on the validation images.
    public var learningRetention: Float
    public var validationRetention: Float?
  }

  /// The λ a target R chose for one seed.
  public struct Choice: Equatable, Sendable {
    public var target: Float
    public var seed: UInt64
    public var lambda: Float
    public var converged: Bool?
  }

  /// Where the steps came from.
  public var file: String
  /// Sorted by seed, then λ (not in the order tried).
  public var steps: [Step]
  /// Sorted by target, then seed.
  public var choices: [Choice]

  public static let fileName = "path.csv"

  /// The path of the run whose `retention-<R>/` mask directory is `maskDirectory`; nil when
  /// the directory is not of that layout or its parent has no `path.csv` (older runs).
  public static func read(maskDirectory: String) throws -> LambdaPath? {
    let url = URL(fileURLWithPath: maskDirectory).standardizedFileURL
    guard url.lastPathComponent.hasPrefix("retention-") else { return nil }
    let run = url.deletingLastPathComponent().path
    let file = run + "/" + fileName
    guard FileManager.default.fileExists(atPath: file) else { return nil }
    let steps = try readSteps(file)
    var choices: [Choice] = []
    for name in MaskRunDirectory.retentionDirectories(in: run) {
      let summaryPath = MaskRunDirectory.summaryFile(run + "/" + name)
      guard FileManager.default.fileExists(atPath: summaryPath) else { continue }
      let s: MaskSummary = try ProbeResults.decode(summaryPath, what: "mask summary")
      guard let target = s.retentionTarget else { continue }
      if let seeds = s.seeds, !seeds.isEmpty {
        choices += seeds.compactMap { k in k.lambda.map { Choice(target: target, seed: k.seed, lambda: $0, converged: k.converged) } }
      } else {
        choices.append(Choice(target: target, seed: s.seed, lambda: s.lambda, converged: s.converged))
      }
    }
    choices.sort { ($0.target, $0.seed) < ($1.target, $1.seed) }
    return LambdaPath(file: file, steps: steps, choices: choices)
  }

  /// The seeds of the path, in order.
  public var seeds: [UInt64] { steps.map(\.seed).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }

  /// The step of `seed` that `choice` took: the one at its λ (nearest on a log scale, so a
  /// λ written with fewer digits still finds its step).
  public func step(of choice: Choice) -> Step? {
    steps.filter { $0.seed == choice.seed && $0.lambda > 0 }
      .min { abs(log($0.lambda / choice.lambda)) < abs(log($1.lambda / choice.lambda)) }
  }

  // MARK: - path.csv

  /// Columns every `path.csv` has; the others may be missing (older runs) or empty (no validation images).
  static let requiredColumns = ["seed", "group", "step", "lambda", "masked_accuracy", "clean_accuracy", "sparsity", "images"]

  static func readSteps(_ file: String) throws -> [Step] {
    let text: String
    do {
      text = try String(contentsOfFile: file, encoding: .utf8)
    } catch {
      throw FourierLensError.badFile(path: file, reason: "cannot be read (\(error.localizedDescription))")
    }
    let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.isEmpty }
    guard let headerLine = lines.first else { throw FourierLensError.badFile(path: file, reason: "is empty (expected a header row)") }
    let header = headerLine.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    for column in requiredColumns where !header.contains(column) {
      throw FourierLensError.badFile(path: file, reason: "has no column `\(column)` (is it the path.csv of `flens learn-mask --retention`?)")
    }
    // Rows of one seed and step, one per group.
    var groups: [[String: String]] = []
    var rows: [[[String: String]]] = []
    var key: (String, String)?
    for (n, line) in lines.enumerated().dropFirst() {
      let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
      guard cells.count == header.count else {
        throw FourierLensError.badFile(path: file, reason: "line \(n + 1) has \(cells.count) cells for \(header.count) columns")
      }
      let row = Dictionary(uniqueKeysWithValues: zip(header, cells))
      let k = (row["seed"]!, row["step"]!)
      if let key, key != k {
        rows.append(groups)
        groups = []
      }
      key = k
      groups.append(row)
    }
    if !groups.isEmpty { rows.append(groups) }
    return try rows.map { try step(of: $0, file: file) }
      .sorted { ($0.seed, $0.lambda, $0.step) < ($1.seed, $1.lambda, $1.step) }
  }

  /// One step from its groups' rows: accuracies and sparsity image-weighted over the groups
  /// with images (as `MaskLearningResult` aggregates them).
  static func step(of rows: [[String: String]], file: String) throws -> Step {
    func number<T: LosslessStringConvertible>(_ row: [String: String], _ column: String) throws -> T? {
      guard let cell = row[column], !cell.isEmpty else { return nil }
      guard let value = T(cell) else {
        throw FourierLensError.badFile(path: file, reason: "`\(column)` is not a number: \"\(cell)\" (step \(row["step"] ?? "?"))")
      }
      return value
    }
    func required<T: LosslessStringConvertible>(_ row: [String: String], _ column: String) throws -> T {
      guard let value: T = try number(row, column) else {
        throw FourierLensError.badFile(path: file, reason: "`\(column)` is empty (step \(row["step"] ?? "?"))")
      }
      return value
    }
    func weighted(_ column: String, by count: String) throws -> Float? {
      var sum = 0.0, total = 0
      for row in rows {
        guard let v: Float = try number(row, column), let n: Int = try number(row, count) else { return nil }
        sum += Double(v) * Double(n)
        total += n
      }
      return total > 0 ? Float(sum / Double(total)) : nil
    }
    let first = rows[0]
    let lambda: Float = try required(first, "lambda")
    guard lambda.isFinite, lambda > 0 else { throw FourierLensError.badFile(path: file, reason: "λ \(lambda) is not a positive number") }
    let images = try rows.reduce(0) { $0 + (try required($1, "images") as Int) }
    let converged: Int? = try number(first, "converged")
    // One group: its recorded retentions as written; several: the ratio of the weighted accuracies.
    let single = rows.count == 1
    let masked = try weighted("masked_accuracy", by: "images") ?? required(first, "masked_accuracy")
    let clean = try weighted("clean_accuracy", by: "images") ?? required(first, "clean_accuracy")
    let validationMasked = try weighted("validation_masked_accuracy", by: "validation_images")
    let validationClean = try weighted("validation_clean_accuracy", by: "validation_images")
    var validationRetention: Float?
    if let m = validationMasked, let c = validationClean {
      validationRetention = try (single ? number(first, "validation_retention") : nil) ?? Retention.of(masked: m, clean: c)
    }
    return Step(
      seed: try required(first, "seed"), step: try required(first, "step"), lambda: lambda,
      sparsity: try weighted("sparsity", by: "images") ?? required(first, "sparsity"),
      cleanAccuracy: clean, maskedAccuracy: masked, images: images,
      validationCleanAccuracy: validationClean, validationMaskedAccuracy: validationMasked,
      validationImages: try rows.reduce(Int?.some(0)) { total, row in
        guard let total, let n: Int = try number(row, "validation_images") else { return nil }
        return total + n
      },
      converged: converged.map { $0 != 0 }, optimizerSteps: try number(first, "optimizer_steps"),
      warmStartStep: try number(first, "warm_start_step"),
      learningRetention: try (single ? number(first, "retention") : nil) ?? Retention.of(masked: masked, clean: clean),
      validationRetention: validationRetention)
  }
}
