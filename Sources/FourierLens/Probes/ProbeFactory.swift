import Foundation

/// Turns probe specs as users write them into probes:
///
/// - `accuracy`
/// - `attack:SPEC` — an attack plugin spec, e.g. `attack:pgd-linf:eps=0.03,steps=10`
/// - `corruption:SPEC` — an augmentation plugin used as a corruption; a value written
///   `a|b|c` sweeps severities, e.g. `corruption:gaussian-noise:sigma=0.02|0.05|0.1`
/// - `heatmap[:eps=4,through_mask=false]`
/// - `passband[:radial=8,angular=8,transform=dft]`
/// - `bands[:radial=16,angular=8,metric=euclidean]` (differences against `baseline`)
/// - `margins[:block=8,steps=100,overshoot=0.02,candidates=10]` (DCT-block margins)
/// - `ablation[:top=1|5|10|20]` (frequency-ablation class masks, TPR/FPR)
/// - `alignment:adversarial=DIR[,radial=16,resamples=1000]` (mask vs adversarial map of DIR)
/// - `nad[:grid=4,train=2000,test=1000,epochs=4,batch=128,lr=...,sigma=3,eps=1]` (needs `trainers`)
/// - `embedding[:log=false,test=0.3,seeds=5,l2=0.001,iterations=500]` (image masks; needs `linearAnalysis`)
public enum ProbeFactory {
  public static let names = ["accuracy", "attack", "corruption", "heatmap", "passband", "bands", "margins", "nad", "ablation", "alignment", "embedding"]

  /// The probes of one run, each writing under its own file stem (see `ProbeOutputNames`);
  /// the same probe given twice is an error.
  /// `trainers` trains fresh networks for `nad` (nil: a host that cannot train; `nad` is refused);
  /// `linearAnalysis` fits the PCA and linear probe of `embedding` (nil: `embedding` is refused).
  public static func makeAll(_ texts: [String], registry: PluginRegistry, baseline: LearnedMask? = nil,
                             trainers: ArchitectureTrainerFactory? = nil, linearAnalysis: LinearAnalysis? = nil) throws -> [Probe] {
    let probes = try texts.map {
      try make($0, registry: registry, baseline: baseline, trainers: trainers, linearAnalysis: linearAnalysis)
    }
    return try ProbeOutputNames.assign(probes, writtenAs: texts)
  }

  public static func make(_ text: String, registry: PluginRegistry, baseline: LearnedMask? = nil,
                          trainers: ArchitectureTrainerFactory? = nil, linearAnalysis: LinearAnalysis? = nil) throws -> Probe {
    let (name, rest) = split(text)
    let option = "--probe \(text)"
    switch name {
    case "accuracy":
      try noOptions(rest, option)
      return AccuracyProbe()
    case "attack":
      guard !rest.isEmpty else { throw FourierLensError.badOption(name: option, reason: "needs an attack spec, e.g. attack:pgd-linf:eps=0.03") }
      return AttackProbe(attack: try registry.makeAttack(PluginSpec.parse(rest, option: option)), spec: rest)
    case "corruption":
      guard !rest.isEmpty else { throw FourierLensError.badOption(name: option, reason: "needs an augmentation spec, e.g. corruption:gaussian-noise:sigma=0.05|0.1") }
      let spec = try PluginSpec.parse(rest, option: option)
      let severities = try expandSweeps(spec).map { s -> (label: String, corruption: Augmentation) in
        let label = s.options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return (label.isEmpty ? "default" : label, try registry.makeAugmentation(s))
      }
      return CorruptionProbe(name: spec.name, severities: severities)
    case "heatmap":
      let o = try options(rest, option, allowed: ["eps", "through_mask"])
      return try FourierHeatmapProbe(eps: try o.float("eps") ?? 4, throughMask: try o.bool("through_mask") ?? false)
    case "passband":
      let o = try options(rest, option, allowed: ["radial", "angular", "transform"])
      let transform = try o.string("transform").map { t -> TransformKind in
        guard let k = TransformKind(rawValue: t) else { throw FourierLensError.badOption(name: option, reason: "transform must be dft or dct") }
        return k
      } ?? .dft
      return try PassbandProbe(radialBands: try o.int("radial") ?? 8, angularSectors: try o.int("angular") ?? 8, transform: transform)
    case "bands":
      let o = try options(rest, option, allowed: ["radial", "angular", "metric"])
      let metric = try o.string("metric").map { m -> RadiusMetric in
        guard let r = RadiusMetric(rawValue: m) else { throw FourierLensError.badOption(name: option, reason: "metric must be euclidean or l1") }
        return r
      } ?? .euclidean
      return try BandsProbe(radialBands: try o.int("radial") ?? 16, angularSectors: try o.int("angular") ?? 8,
                            metric: metric, baseline: baseline)
    case "margins":
      let o = try options(rest, option, allowed: ["block", "steps", "overshoot", "candidates"])
      return try DCTBlockMarginProbe(block: try o.int("block") ?? 8, attack: SubspaceDeepFool(
        steps: try o.int("steps") ?? 100, overshoot: try o.float("overshoot") ?? 0.02, candidates: try o.int("candidates") ?? 10))
    case "alignment":
      let o = try options(rest, option, allowed: alignmentOptions)
      guard let dir = o.string("adversarial") else {
        throw FourierLensError.badOption(name: option, reason: "needs adversarial=DIR, a `flens learn-mask --adversarial` directory")
      }
      let perturbations = dir + "/" + AdversarialExamples.perturbationFile
      guard FileManager.default.fileExists(atPath: perturbations) else {
        throw FourierLensError.badFile(path: perturbations, reason: "missing: adversarial=DIR must be made by `flens learn-mask --adversarial`")
      }
      return try MaskAlignmentProbe(map: try MaskRunDirectory.read(dir), perturbations: try NPY.readTensor(perturbations),
                                    radialBands: try o.int("radial") ?? 16, resamples: try o.int("resamples") ?? 1000)
    case "ablation":
      let o = try options(rest, option, allowed: ["top"])
      let percents = try o.string("top").map { text in
        try text.split(separator: "|").map { part -> Double in
          guard let v = Double(part), v.isFinite else { throw FourierLensError.badOption(name: option, reason: "top=\(text): '\(part)' is not a number") }
          return v
        }
      } ?? [1, 5, 10, 20]
      return try FrequencyAblationProbe(percents: percents)
    case "nad":
      let o = try options(rest, option, allowed: ["grid", "train", "test", "epochs", "batch", "lr", "sigma", "eps"])
      guard let trainers else { throw FourierLensError.badOption(name: option, reason: "needs a host that can train networks") }
      let training = FreshTrainingSettings(epochs: try o.int("epochs") ?? 4, batchSize: try o.int("batch") ?? 128,
                                           learningRate: try o.float("lr").map(Double.init))
      return try NeuralAnisotropyProbe(makeTrainer: trainers, training: training, grid: try o.int("grid") ?? 4,
                                       trainImages: try o.int("train") ?? 2000, testImages: try o.int("test") ?? 1000,
                                       sigma: try o.float("sigma") ?? 3, epsilon: try o.float("eps") ?? 1)
    case "embedding":
      let o = try options(rest, option, allowed: ["log", "test", "seeds", "l2", "iterations"])
      guard let linearAnalysis else { throw FourierLensError.badOption(name: option, reason: "needs a host with a linear solver") }
      return try MaskEmbeddingProbe(
        analysis: linearAnalysis, logFeatures: try o.bool("log") ?? false, testFraction: try o.double("test") ?? 0.3,
        seeds: try o.int("seeds") ?? 5,
        regression: SoftmaxRegressionSettings(l2: try o.double("l2") ?? 1e-3,
                                              maxIterations: try o.int("iterations") ?? 500))
    default:
      throw FourierLensError.badOption(name: option, reason: "unknown probe '\(name)'; probes: \(names.joined(separator: ", "))")
    }
  }

  static let alignmentOptions: Set<String> = ["adversarial", "radial", "resamples"]

  /// Whether `text` is an `alignment` probe without `adversarial=DIR`: in an experiment with
  /// `adversarial_maps:` it compares each model's mask with that model's own map.
  public static func isOwnMapAlignment(_ text: String) -> Bool {
    let (name, rest) = split(text)
    return name == "alignment" && (try? options(rest, "--probe \(text)", allowed: alignmentOptions))?.string("adversarial") == nil
  }

  /// Checks the options of an own-map `alignment` probe (see `isOwnMapAlignment`) before its map exists.
  public static func checkOwnMapAlignment(_ text: String) throws {
    let (_, rest) = split(text)
    let o = try options(rest, "--probe \(text)", allowed: alignmentOptions)
    try MaskAlignmentProbe.checkSettings(radialBands: try o.int("radial") ?? 16, resamples: try o.int("resamples") ?? 1000)
  }

  /// An own-map `alignment` probe with `adversarial=directory` added.
  public static func alignment(_ text: String, withMapIn directory: String) -> String {
    let (_, rest) = split(text)
    return "alignment:adversarial=\(directory)" + (rest.isEmpty ? "" : "," + rest)
  }

  /// The probe a spec names (`embedding` for `embedding:seeds=3`).
  public static func name(of text: String) -> String { split(text).name }

  /// A probe spec's name and the options after its first colon.
  private static func split(_ text: String) -> (name: String, rest: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let colon = trimmed.firstIndex(of: ":") else { return (trimmed, "") }
    return (String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]))
  }

  /// Writes `NAME.json`, `NAME.csv` and `NAME.<key>.npy` into `dir`.
  /// Writes a probe's files; `images` (the images it measured on) is recorded in its JSON
  /// as `image_range: {split, offset, count}`, so every number can be traced to its images.
  public static func write(_ output: ProbeOutput, name: String, images: ImageRange? = nil, to dir: String) throws {
    for (key, array) in output.arrays { try NPY.write(array, to: "\(dir)/\(name).\(key).npy") }
    try output.table.write(to: "\(dir)/\(name).csv")
    try AtomicFile.write(output.recordingImages(images).json.encoded(), to: "\(dir)/\(name).json")
  }

  /// One spec per combination of the `a|b|c` values (in order; one sweep at most per option).
  static func expandSweeps(_ spec: PluginSpec) throws -> [PluginSpec] {
    var specs = [PluginSpec(name: spec.name)]
    for (key, value) in spec.options {
      let values = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      specs = specs.flatMap { s in values.map { v in var t = s; t.options.append((key, v)); return t } }
    }
    return specs
  }

  private static func noOptions(_ rest: String, _ option: String) throws {
    guard rest.trimmingCharacters(in: .whitespaces).isEmpty else {
      throw FourierLensError.badOption(name: option, reason: "takes no options")
    }
  }

  struct Options {
    var values: [String: String]
    let option: String
    func string(_ key: String) -> String? { values[key] }
    func float(_ key: String) throws -> Float? {
      guard let v = values[key] else { return nil }
      guard let f = Float(v), f.isFinite else { throw FourierLensError.badOption(name: option, reason: "\(key)=\(v) is not a number") }
      return f
    }
    func double(_ key: String) throws -> Double? {
      guard let v = values[key] else { return nil }
      guard let d = Double(v), d.isFinite else { throw FourierLensError.badOption(name: option, reason: "\(key)=\(v) is not a number") }
      return d
    }
    func int(_ key: String) throws -> Int? {
      guard let v = values[key] else { return nil }
      guard let i = Int(v) else { throw FourierLensError.badOption(name: option, reason: "\(key)=\(v) is not an integer") }
      return i
    }
    func bool(_ key: String) throws -> Bool? {
      guard let v = values[key] else { return nil }
      switch v.lowercased() {
      case "true", "1", "yes": return true
      case "false", "0", "no": return false
      default: throw FourierLensError.badOption(name: option, reason: "\(key)=\(v) is not true or false")
      }
    }
  }

  private static func options(_ rest: String, _ option: String, allowed: Set<String>) throws -> Options {
    guard !rest.trimmingCharacters(in: .whitespaces).isEmpty else { return Options(values: [:], option: option) }
    let spec = try PluginSpec.parse("probe:" + rest, option: option)
    var values: [String: String] = [:]
    for (k, v) in spec.options {
      guard allowed.contains(k) else {
        throw FourierLensError.badOption(name: option, reason: "unknown option '\(k)'; options: \(allowed.sorted().joined(separator: ", "))")
      }
      values[k] = v
    }
    return Options(values: values, option: option)
  }
}
