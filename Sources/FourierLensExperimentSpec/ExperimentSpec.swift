import Foundation
import FourierLens
import Yams

/// An experiment file (YAML; JSON is accepted too, being YAML): the data, the models to
/// train or load, how to learn their masks, the probes, and the report. Keys are the
/// command-line flags' names (`SettingKey.fileKey` of each setting the core checks).
///
/// ```yaml
/// name: paper-comparison
/// seed: 0
/// data: {path: ../shared/data/cifar10, grayscale: true}
/// models:
///   standard:    {arch: smallcnn, epochs: 15, augment: [base]}
///   adversarial: {arch: smallcnn, epochs: 15, adversarial: "pgd-linf:eps=0.03,alpha=0.0075,steps=7"}
///   imported:    {path: models/my-resnet}        # an existing model directory
/// masks: {param: free, lambda: 0.02, epochs: 30, images: 2000, seeds: 3}
/// probes:
///   images: 1000
///   run: [accuracy, heatmap, passband, bands, "attack:pgd-linf:eps=0.03"]
/// report: {baseline: standard}
/// slurm: {mask: {cpus: 4, mem: 8G, time: "04:00:00"}}   # only for --executor slurm
/// ```
public struct ExperimentSpec: Codable, Equatable {
  public var name: String?
  public var seed: UInt64?
  public var threads: Int?
  /// `cpu`, `cuda`, `cuda:N` or `auto` (the default); like `threads`, not part of any cache key.
  public var device: String?
  public var data: DataSpec
  /// Models by name, trained or loaded in name order.
  public var models: [String: ModelSpec]
  public var masks: MaskSpec?
  /// Adversarial maps per model (`adversarial_maps:`, see `AdversarialMapSpec`).
  public var adversarialMaps: AdversarialMapSpec?
  /// One mask per test image for each model (`image_masks:`, see `ImageMaskSpec`).
  public var imageMasks: ImageMaskSpec?
  public var probes: ProbeSpec?
  public var report: ReportSpec?
  /// Resources of the Slurm jobs per step kind (`flens run --executor slurm`); not part of any cache key.
  public var slurm: SlurmSpec?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case name, seed, threads, device, data, models, masks, adversarialMaps = "adversarial_maps", imageMasks = "image_masks", probes, report, slurm
  }

  public struct DataSpec: Codable, Equatable {
    /// A dataset path (as `--data`), or `generated` for the built-in synthetic data.
    public var path: String
    public var grayscale: Bool?
    public var size: Int?
    /// Images of the train split used for training (all when absent).
    public var trainLimit: Int?
    /// Images of the test split used to evaluate models during training.
    public var testLimit: Int?
    /// Where the experiment's images start in each split (as `--offset`): every image an
    /// experiment reads from that split counts from here.
    public var trainOffset: Int?
    public var testOffset: Int?

    enum CodingKeys: String, CodingKey, CaseIterable {
      case path, grayscale, size, trainLimit = "train_limit", testLimit = "test_limit"
      case trainOffset = "train_offset", testOffset = "test_offset"
    }
  }

  public struct ModelSpec: Codable, Equatable {
    /// An existing model directory (no training).
    public var path: String?
    public var arch: String?
    public var epochs: Int?
    public var batch: Int?
    public var lr: Double?
    public var optimizer: String?
    public var augment: [String]?
    public var adversarial: String?
    /// Networks to train, otherwise identical: network k with the experiment's seed + k,
    /// named NAME@k (its steps, directories and report entries); 1 (absent) is NAME itself.
    public var seeds: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case path, arch, epochs, batch, lr, optimizer, augment, adversarial, seeds }

    /// The names of its networks: NAME, or NAME@0 … NAME@(K−1).
    public func networkNames(_ name: String) -> [String] {
      let k = seeds ?? 1
      return k > 1 ? (0..<k).map { "\(name)@\($0)" } : [name]
    }
  }

  public struct MaskSpec: Codable, Equatable {
    public var param: String?
    public var transform: TransformKind?
    public var perChannel: Bool?
    public var lambda: Float?
    public var lr: Float?
    public var epochs: Int?
    public var batch: Int?
    public var objective: MaskObjective?
    public var scope: MaskScope?
    /// Images of the mask split the masks are learned on.
    public var images: Int?
    public var split: String?
    public var seeds: Int?
    /// Retention targets R (as `flens learn-mask --retention`): λ is chosen per model along a
    /// regularisation path, and masks, probes and reports are made per R.
    public var retention: [Float]?
    public var lambdaStart: Float?
    public var lambdaFactor: Float?
    public var lambdaMax: Float?
    public var lambdaResolution: Float?
    /// As `flens learn-mask --accuracy-target`, `--patience`, `--tolerance` and `--validation`
    /// (the held-out images after the `images` learning images; default 1000).
    public var accuracyTarget: Float?
    public var patience: Int?
    public var tolerance: Float?
    public var validation: Int?

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
      case param, transform, perChannel = "per_channel", lambda, lr, epochs, batch, objective, scope, images, split, seeds
      case retention, lambdaStart = "lambda_start", lambdaFactor = "lambda_factor", lambdaMax = "lambda_max"
      case lambdaResolution = "lambda_resolution"
      case accuracyTarget = "accuracy_target", patience, tolerance, validation
    }

    /// Retention targets used when the file fixes neither `lambda` nor `retention`: networks
    /// are compared at matched accuracy retention by default, not at one arbitrary λ (a fixed
    /// λ gives a robust and a standard network masks at different retentions).
    static let defaultRetention: [Float] = [0.95, 0.99]

    /// `retention` filled in with `defaultRetention` when neither `lambda` nor `retention` is
    /// given; image-scope masks (which have no retention path) keep the fixed λ.
    var withDefaultRetention: MaskSpec {
      var s = self
      if s.retention == nil && s.lambda == nil && s.scope != .image { s.retention = Self.defaultRetention }
      return s
    }

    /// The path of `retention`, nil without it.
    public var retentionPath: RetentionPathConfig? {
      guard let retention else { return nil }
      var path = RetentionPathConfig(targets: retention)
      if let v = lambdaStart { path.startLambda = v }
      if let v = lambdaFactor { path.stepFactor = v }
      if let v = lambdaMax { path.maxLambda = v }
      if let v = lambdaResolution { path.resolution = v }
      return path
    }
  }

  public struct ProbeSpec: Codable, Equatable {
    public var run: [String]
    public var images: Int?
    public var batch: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case run, images, batch }
  }

  public struct ReportSpec: Codable, Equatable {
    public var baseline: String?
    public var radial: Int?
    public var angular: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case baseline, radial, angular }

    public init() {}
  }

  /// Reads a YAML or JSON experiment file, with errors naming the file.
  public static func load(_ path: String) throws -> ExperimentSpec {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw FourierLensError.badFile(path: path, reason: "cannot be read as UTF-8 text")
    }
    return try parse(text, file: path)
  }

  public static func parse(_ text: String, file: String) throws -> ExperimentSpec {
    var spec: ExperimentSpec
    do {
      try refuseOverflowingSexagesimals(text, file: file)
      try refuseUnknownKeys(text, file: file)
      spec = try YAMLDecoder().decode(ExperimentSpec.self, from: text)
    } catch let error as DecodingError {
      throw FourierLensError.badFile(path: file, reason: describe(error))
    } catch let error as FourierLensError {
      throw error
    } catch {
      throw FourierLensError.badFile(path: file, reason: "not a valid YAML/JSON experiment (\(error))")
    }
    spec.masks = (spec.masks ?? MaskSpec()).withDefaultRetention
    try spec.validate(file: file)
    return spec
  }

  /// YAML 1.1 reads `1:30` as the base-60 integer 90; Yams computes such numbers without
  /// overflow checks and traps on long ones (found by scripts/fuzz.sh, target experiment).
  /// Scalars of that shape whose value does not fit an Int are refused here first.
  static func refuseOverflowingSexagesimals(_ text: String, file: String) throws {
    guard text.contains(":"), let root = try? Yams.compose(yaml: text) else { return }
    func visit(_ node: Node) throws {
      switch node {
      case let .scalar(scalar):
        // Yams's arithmetic, with overflow checks: any scalar with a ':' that a number field
        // reads (quoted or not); parts that are not numbers are skipped, as Yams does.
        let v = scalar.string
        guard v.contains(":") else { return }
        let unsigned = v.hasPrefix("-") || v.hasPrefix("+") ? String(v.dropFirst()) : v
        let digits = unsigned.components(separatedBy: ":").compactMap { Int($0.replacingOccurrences(of: "_", with: "")) }
        var base = 1, value = 0, overflow = false
        for digit in digits.reversed() {
          let (term, o1) = digit.multipliedReportingOverflow(by: base)
          let (sum, o2) = value.addingReportingOverflow(term)
          let (next, o3) = base.multipliedReportingOverflow(by: 60)
          overflow = overflow || o1 || o2 || o3
          (value, base) = (sum, next)
        }
        if overflow {
          let line = scalar.mark.map { " (line \($0.line))" } ?? ""
          throw FourierLensError.badFile(path: file, reason: "'\(v.prefix(40))'\(line) reads as a base-60 number too large to represent")
        }
      case let .mapping(mapping):
        for (key, value) in mapping { try visit(key); try visit(value) }
      case let .sequence(sequence):
        for item in sequence { try visit(item) }
      }
    }
    try visit(root)
  }

  func validate(file: String) throws {
    func bad(_ why: String) -> FourierLensError { .badFile(path: file, reason: why) }
    guard !models.isEmpty else { throw bad("`models` is empty: name at least one model to train or load") }
    for (name, m) in models {
      guard PluginSpec.isValidName(name) else { throw bad("model name '\(name)' must be lower-case letters, digits, '-' and '_'") }
      if m.path == nil && m.arch == nil { throw bad("model '\(name)' needs `arch` (to train) or `path` (to load)") }
      if m.path != nil && (m.arch != nil || m.epochs != nil || m.adversarial != nil) {
        throw bad("model '\(name)' has both `path` and training options: choose one")
      }
      if let e = m.epochs, e < 1 { throw bad("model '\(name)': epochs must be ≥ 1") }
      if let k = m.seeds, k < 1 { throw bad("models.\(name).seeds must be ≥ 1, got \(k)") }
      if let k = m.seeds, k > 1, m.path != nil {
        throw bad("models.\(name).seeds: a loaded model (`path`) is one network; train several with `arch` and `seeds`")
      }
    }
    if let limit = data.trainLimit, limit < 1 { throw bad("data.train_limit must be ≥ 1") }
    if let limit = data.testLimit, limit < 1 { throw bad("data.test_limit must be ≥ 1") }
    if let offset = data.trainOffset, offset < 0 { throw bad("data.train_offset must be ≥ 0, got \(offset)") }
    if let offset = data.testOffset, offset < 0 { throw bad("data.test_offset must be ≥ 0, got \(offset)") }
    if let seeds = masks?.seeds, seeds < 1 { throw bad("masks.seeds must be ≥ 1") }
    if let s = masks?.split, s != "train" && s != "test" { throw bad("masks.split must be train or test") }
    if let m = masks, m.retention == nil, m.lambdaStart != nil || m.lambdaFactor != nil || m.lambdaMax != nil {
      throw bad("masks.lambda_start, lambda_factor and lambda_max belong to masks.retention, which is not set")
    }
    if let m = masks, let path = m.retentionPath {
      do { try path.validate() } catch let FourierLensError.badSetting(key, reason) {
        throw bad("masks.\(key.fileKey): \(reason)")
      }
      if m.lambda != nil { throw bad("masks.lambda and masks.retention exclude each other: the path chooses λ") }
      if m.scope == .image { throw bad("masks.retention works with scope dataset or class, not image") }
    }
    try adversarialMaps?.validate(file: file)
    try imageMasks?.validate(file: file)
    if let b = report?.baseline, models[b] == nil { throw bad("report.baseline '\(b)' is not one of the models") }
    if let t = threads, t < 1 { throw bad("threads must be ≥ 1") }
    if let d = device, (try? ComputeDevice(parsing: d)) == nil { throw bad("device must be cpu, cuda, cuda:N or auto, got '\(d)'") }
    try slurm?.validate(file: file)
  }

  private static func describe(_ error: DecodingError) -> String {
    func path(_ c: [CodingKey]) -> String { c.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
    switch error {
    case let .keyNotFound(key, ctx): return "missing key `\(path(ctx.codingPath + [key]))`"
    case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx): return "wrong type at `\(path(ctx.codingPath))`: \(ctx.debugDescription)"
    case let .dataCorrupted(ctx): return "invalid value at `\(path(ctx.codingPath))`: \(ctx.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}
