import Foundation
import FourierLens

/// `accuracy.json` of `flens probe`: clean accuracy, and through a mask the masked and
/// complementary accuracies.
public struct AccuracyProbeResult: Decodable, Equatable, Sendable {
  public var cleanAccuracy: Double
  public var maskedAccuracy: Double?
  public var complementaryAccuracy: Double?
  /// True when the complement kept (almost) no frequency (absent in older files).
  public var complementaryDegenerate: Bool?
  public var count: Int?
  /// The top-k curves: k in %, accuracy keeping only the top k % of frequencies by mask
  /// value, and keeping all but them.
  public var topKPercent: [Double]?
  public var topKAccuracy: [Double]?
  public var allButTopKAccuracy: [Double]?

  enum CodingKeys: String, CodingKey {
    case cleanAccuracy = "clean_accuracy", maskedAccuracy = "masked_accuracy"
    case complementaryAccuracy = "complementary_accuracy", complementaryDegenerate = "complementary_degenerate", count
    case topKPercent = "top_k_percent", topKAccuracy = "top_k_accuracy", allButTopKAccuracy = "all_but_top_k_accuracy"
  }

  /// The top-k curves when all three lists are present, equally long and finite.
  public var topKCurves: (percent: [Double], top: [Double], allBut: [Double])? {
    guard let k = topKPercent, let t = topKAccuracy, let a = allButTopKAccuracy, !k.isEmpty,
          k.count == t.count, k.count == a.count, (k + t + a).allSatisfy(\.isFinite) else { return nil }
    return (k, t, a)
  }
}

/// `passband.json`: accuracy of low-/high-pass filtered inputs by cut-off radius and of
/// inputs reduced to (or deprived of) one angular sector.
public struct PassbandProbeResult: Decodable, Equatable, Sendable {
  public var transform: String?
  public var lowpassUpperRadius: [Double]
  public var lowpassAccuracy: [Double]
  public var highpassLowerRadius: [Double]
  public var highpassAccuracy: [Double]
  public var sectorStartDeg: [Double]
  public var sectorOnlyAccuracy: [Double]
  public var sectorRemovedAccuracy: [Double]

  enum CodingKeys: String, CodingKey {
    case transform, lowpassUpperRadius = "lowpass_upper_radius", lowpassAccuracy = "lowpass_accuracy"
    case highpassLowerRadius = "highpass_lower_radius", highpassAccuracy = "highpass_accuracy"
    case sectorStartDeg = "sector_start_deg", sectorOnlyAccuracy = "sector_only_accuracy"
    case sectorRemovedAccuracy = "sector_removed_accuracy"
  }

  /// Degrees the sectors cover together (180 for the DFT with opposite directions folded, 90 for the DCT).
  public var angularSpan: Double { transform == "dct" ? 90 : 180 }

  func validate(path: String) throws {
    func check(_ a: [Double], _ b: [Double], _ what: String) throws {
      guard a.count == b.count, !a.isEmpty, (a + b).allSatisfy(\.isFinite) else {
        throw FourierLensError.badFile(path: path, reason: "\(what): needs equally long, non-empty lists of finite numbers")
      }
    }
    try check(lowpassUpperRadius, lowpassAccuracy, "lowpass_upper_radius/lowpass_accuracy")
    try check(highpassLowerRadius, highpassAccuracy, "highpass_lower_radius/highpass_accuracy")
    try check(sectorStartDeg, sectorOnlyAccuracy, "sector_start_deg/sector_only_accuracy")
    try check(sectorStartDeg, sectorRemovedAccuracy, "sector_start_deg/sector_removed_accuracy")
  }
}

/// `attack-<name>.json`: robust accuracy under an attack, and through a mask the accuracy
/// on the plain model's adversarial images (transfer) and under an attack on the masked
/// model (adaptive).
public struct AttackProbeResult: Decodable, Equatable, Sendable {
  /// The file's stem after `attack-` (the attack's name).
  public var name: String = ""
  /// The attack spec as given to `flens probe`.
  public var attack: String?
  public var cleanAccuracy: Double
  public var robustAccuracy: Double
  public var maskedCleanAccuracy: Double?
  public var maskedTransferAccuracy: Double?
  public var maskedAdaptiveAccuracy: Double?
  public var meanPerturbationL2: Double?
  public var maxPerturbationLinf: Double?
  public var count: Int?

  enum CodingKeys: String, CodingKey {
    case attack, cleanAccuracy = "clean_accuracy", robustAccuracy = "robust_accuracy"
    case maskedCleanAccuracy = "masked_clean_accuracy", maskedTransferAccuracy = "masked_transfer_accuracy"
    case maskedAdaptiveAccuracy = "masked_adaptive_accuracy", meanPerturbationL2 = "mean_perturbation_l2"
    case maxPerturbationLinf = "max_perturbation_linf", count
  }

  /// How the attack is shown: its spec when recorded, else its name.
  public var label: String { attack ?? name }
}

/// `corruption-<name>.json`: accuracy at each severity, plain and through the mask.
public struct CorruptionProbeResult: Equatable, Sendable {
  public struct Severity: Equatable, Sendable {
    /// The severity as recorded (a label such as "sigma=0.05", or a number).
    public var label: String
    public var accuracy: Double
    public var maskedAccuracy: Double?
  }

  public var name: String
  public var severities: [Severity]

  /// Reads the `severities` list; a severity may be a string or a number.
  init(name: String, json: JSONValue, path: String) throws {
    guard let list = json["severities"]?.arrayValue, !list.isEmpty else {
      throw FourierLensError.badFile(path: path, reason: "needs a non-empty list `severities`")
    }
    // Two probes of one corruption with different options write `corruption-NAME_OPTIONS`
    // (see ProbeOutputNames): the file's stem then tells them apart, the recorded name not.
    let recorded = json["corruption"]?.stringValue ?? name
    self.name = name.hasPrefix(recorded + "_") ? name : recorded
    severities = try list.enumerated().map { i, item in
      let label: String
      switch item["severity"] {
      case let .string(s)?: label = s
      case let .number(d)?: label = d == d.rounded() && abs(d) < 1e9 ? String(Int(d)) : String(d)
      default: throw FourierLensError.badFile(path: path, reason: "severities[\(i)] has no `severity`")
      }
      guard let accuracy = item["accuracy"]?.doubleValue, accuracy.isFinite else {
        throw FourierLensError.badFile(path: path, reason: "severities[\(i)] has no finite `accuracy`")
      }
      return Severity(label: label, accuracy: accuracy, maskedAccuracy: item["masked_accuracy"]?.doubleValue)
    }
  }
}

/// `heatmap.json` with `heatmap.error.npy`: the Fourier heat map of Yin et al. (2019),
/// error rates under a Fourier basis perturbation of norm ε, centred (DC at [H/2, W/2]).
public struct HeatmapProbeResult: Equatable, Sendable {
  public var eps: Double
  public var throughMask: Bool
  public var rows: Int
  public var columns: Int
  /// Centred error rates, row-major.
  public var errorRate: [Float]
  public var meanErrorRate: Double
}

/// Everything `flens probe` left in one directory, each probe optional.
public struct ProbeResults: Sendable {
  public var directory: String?
  public var accuracy: AccuracyProbeResult?
  public var heatmap: HeatmapProbeResult?
  public var passband: PassbandProbeResult?
  public var margins: MarginsProbeResult?
  public var anisotropy: AnisotropyProbeResult?
  public var ablation: AblationProbeResult?
  public var alignment: AlignmentProbeResult?
  public var embedding: EmbeddingProbeResult?
  public var gradientSpectrum: GradientSpectrumProbeResult?
  /// By attack name, sorted by name.
  public var attacks: [AttackProbeResult] = []
  /// By corruption name, sorted by name.
  public var corruptions: [CorruptionProbeResult] = []
  /// Names of the other probe outputs found (e.g. `bands`), for the page's inventory.
  public var others: [String] = []
  /// The images each probe measured on, by the file's stem (`accuracy`, `attack-pgd`, …); probes of older runs have none.
  public var imageRanges: [String: ImageRange] = [:]

  public init() {}

  /// Reads the probe outputs in `directory`; files that are absent are simply nil,
  /// files that are present but unreadable are errors naming the file.
  public static func read(_ directory: String) throws -> ProbeResults {
    var results = ProbeResults()
    results.directory = directory
    let files: [String]
    do {
      files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    } catch {
      throw FourierLensError.badFile(path: directory, reason: "cannot list the probe directory (\(error.localizedDescription))")
    }
    for file in files where file.hasSuffix(".json") && !file.hasPrefix(".") {
      let probe = ProbeFile(directory: directory, stem: String(file.dropLast(5)))
      if let range = try ProbeImageRange.read(probe.json) { results.imageRanges[probe.stem] = range }
      guard let kind = ProbeOutputNames.kind(ofStem: probe.stem), let read = readers[kind.name] else {
        results.others.append(probe.stem)
        continue
      }
      try read(&results, probe)
    }
    return results
  }

  typealias Reader = @Sendable (inout ProbeResults, ProbeFile) throws -> Void

  /// The one list pairing each probe kind (`ProbeKind.all`) with how the report reads its
  /// files into these results, which the kind's section shows. A kind not listed is named
  /// among the other files.
  static let readers: [String: Reader] = [
    AccuracyProbe.kind.name: one(\.accuracy) { file in
      let r: AccuracyProbeResult = try decode(file.json)
      guard r.cleanAccuracy.isFinite else { throw FourierLensError.badFile(path: file.json, reason: "clean_accuracy is not finite") }
      return r
    },
    PassbandProbe.kind.name: one(\.passband) { file in
      let r: PassbandProbeResult = try decode(file.json)
      try r.validate(path: file.json)
      return r
    },
    FourierHeatmapProbe.kind.name: one(\.heatmap, readHeatmap),
    DCTBlockMarginProbe.kind.name: one(\.margins, MarginsProbeResult.read),
    MaskAlignmentProbe.kind.name: one(\.alignment, AlignmentProbeResult.read),
    MaskEmbeddingProbe.kind.name: one(\.embedding, EmbeddingProbeResult.read),
    FrequencyAblationProbe.kind.name: one(\.ablation, AblationProbeResult.read),
    NeuralAnisotropyProbe.kind.name: one(\.anisotropy, AnisotropyProbeResult.read),
    GradientSpectrumProbe.kind.name: one(\.gradientSpectrum, GradientSpectrumProbeResult.read),
    AttackProbe.kind.name: { results, file in
      var r: AttackProbeResult = try decode(file.json)
      r.name = pluginPart(of: file.stem, kind: AttackProbe.kind)
      guard r.cleanAccuracy.isFinite, r.robustAccuracy.isFinite else {
        throw FourierLensError.badFile(path: file.json, reason: "clean_accuracy and robust_accuracy must be finite numbers")
      }
      results.attacks.append(r)
    },
    CorruptionProbe.kind.name: { results, file in
      results.corruptions.append(try CorruptionProbeResult(name: pluginPart(of: file.stem, kind: CorruptionProbe.kind),
                                                           json: try decode(file.json), path: file.json))
    },
  ]

  /// A kind the report shows one result of per probe directory: the first file of the kind
  /// (in file-name order); further ones (the same kind with other options) are named among
  /// the other files.
  static func one<T>(_ field: WritableKeyPath<ProbeResults, T?> & Sendable, _ read: @escaping @Sendable (ProbeFile) throws -> T) -> Reader {
    { results, file in
      guard results[keyPath: field] == nil else { results.others.append(file.stem); return }
      results[keyPath: field] = try read(file)
    }
  }

  /// `pgd-linf` of `attack-pgd-linf` (with any options the run appended).
  static func pluginPart(of stem: String, kind: ProbeKind) -> String { String(stem.dropFirst(kind.name.count + 1)) }

  static func decode<T: Decodable>(_ path: String, what: String = "probe output") throws -> T {
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw FourierLensError.badFile(path: path, reason: "cannot be read (\(error.localizedDescription))")
    }
    do {
      return try JSONDecoder().decode(T.self, from: data)
    } catch {
      throw FourierLensError.badFile(path: path, reason: "not a valid \(what) (\(Self.describe(error)))")
    }
  }

  /// A one-line description of a decoding error (which key, what was wrong).
  static func describe(_ error: Error) -> String {
    switch error {
    case let DecodingError.keyNotFound(key, _): return "missing key `\(key.stringValue)`"
    case let DecodingError.typeMismatch(_, c), let DecodingError.valueNotFound(_, c):
      return "wrong type at `\(c.codingPath.map(\.stringValue).joined(separator: "."))`"
    case DecodingError.dataCorrupted: return "not JSON"
    default: return "\(error)"
    }
  }

  /// The heat map from `heatmap.error.npy` (or, without it, the `error_rate` rows of the JSON).
  static func readHeatmap(_ file: ProbeFile) throws -> HeatmapProbeResult {
    let path = file.json
    let json: JSONValue = try decode(path)
    let npy = file.arrayPath("error")
    var rows = 0, columns = 0
    var values: [Float] = []
    if FileManager.default.fileExists(atPath: npy) {
      let t = try NPY.readTensor(npy)
      guard t.rank == 2, t.shape[0] > 0, t.shape[1] > 0 else {
        throw FourierLensError.badFile(path: npy, reason: "expected an H×W array of error rates, got shape \(t.shape)")
      }
      guard t.isFinite else { throw FourierLensError.badFile(path: npy, reason: "contains NaN or infinite values") }
      (rows, columns, values) = (t.shape[0], t.shape[1], t.data)
    } else if let grid = json["error_rate"]?.arrayValue, !grid.isEmpty {
      let parsed = grid.map { $0.arrayValue?.compactMap(\.doubleValue) ?? [] }
      rows = parsed.count
      columns = parsed[0].count
      guard columns > 0, parsed.allSatisfy({ $0.count == columns && $0.allSatisfy(\.isFinite) }) else {
        throw FourierLensError.badFile(path: path, reason: "error_rate is not a rectangular grid of finite numbers")
      }
      values = parsed.flatMap { $0.map(Float.init) }
    } else {
      throw FourierLensError.badFile(path: path, reason: "no heat map: neither heatmap.error.npy nor `error_rate` is present")
    }
    let mean = values.reduce(0.0) { $0 + Double($1) } / Double(values.count)
    var throughMask = false
    if case let .bool(b)? = json["through_mask"] { throughMask = b }
    return HeatmapProbeResult(eps: json["eps"]?.doubleValue ?? .nan, throughMask: throughMask, rows: rows,
                              columns: columns, errorRate: values, meanErrorRate: json["mean_error_rate"]?.doubleValue ?? mean)
  }
}
