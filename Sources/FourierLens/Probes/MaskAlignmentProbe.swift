import Foundation

/// How the essential-frequency mask (`--mask`) lines up with the adversarial map of the same
/// model (`flens learn-mask --adversarial`, Basile et al. 2023) and with the spectrum of the
/// adversarial perturbations behind that map.
///
/// Three comparisons, each a cosine similarity of the two frequency maps and the Pearson
/// correlation of their radial band energies (`radial` bands, as `flens bands`):
/// mask–map (per mask plane when both have the same number of planes, e.g. per class or
/// per image; else their mean planes), and mask–perturbation and map–perturbation per image
/// (the image's own plane of an image-scope mask with one plane per perturbation, else the
/// mask's mean plane, against |T(δ)| averaged over channels, T the masks' transform,
/// unshifted). Each comparison reports the mean over its units with a 95 % percentile-
/// bootstrap interval over the units (null for a single unit).
public struct MaskAlignmentProbe: Probe {
  public var name: String { Self.kind.name }
  public var map: LearnedMask
  /// Adversarial − clean images, N×C×H×W.
  public var perturbations: Tensor
  public var radialBands: Int
  public var resamples: Int

  public init(map: LearnedMask, perturbations: Tensor, radialBands: Int = 16, resamples: Int = 1000) throws {
    func bad(_ reason: String) -> FourierLensError { .badOption(name: "--probe alignment", reason: reason) }
    try Self.checkSettings(radialBands: radialBands, resamples: resamples)
    guard perturbations.rank == 4, perturbations.shape[0] > 0 else {
      throw bad("the perturbations must be an N×C×H×W array, got shape \(perturbations.shape)")
    }
    self.map = map
    self.perturbations = perturbations
    self.radialBands = radialBands
    self.resamples = resamples
  }

  /// The settings' ranges, checked apart from any map so an experiment can check them before its maps exist.
  static func checkSettings(radialBands: Int, resamples: Int) throws {
    func bad(_ reason: String) -> FourierLensError { .badOption(name: "--probe alignment", reason: reason) }
    guard radialBands >= 2 else { throw bad("radial must be ≥ 2, got \(radialBands)") }
    guard resamples >= 10 else { throw bad("resamples must be ≥ 10, got \(resamples)") }
  }

  /// The planes of a mask (each H×W, averaged over channels for per-channel masks).
  static func planes(_ mask: LearnedMask, height h: Int, width w: Int) -> [[Float]] {
    let plane = h * w, count = mask.allValues.count / plane
    let channels = mask.layout == .perChannel ? max(1, count / max(1, mask.summary.maskCount)) : 1
    return stride(from: 0, to: count, by: channels).map { first in
      (0..<plane).map { j in (first..<first + channels).reduce(Float(0)) { $0 + mask.allValues[$1 * plane + j] } / Float(channels) }
    }
  }

  static func meanPlane(_ planes: [[Float]]) -> [Float] {
    (0..<planes[0].count).map { j in planes.reduce(Float(0)) { $0 + $1[j] } / Float(planes.count) }
  }

  /// Cosine similarity of two maps; NaN when either is zero.
  public static func cosine(_ a: [Float], _ b: [Float]) -> Double {
    let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let na = a.reduce(0.0) { $0 + Double($1) * Double($1) }, nb = b.reduce(0.0) { $0 + Double($1) * Double($1) }
    return na > 0 && nb > 0 ? dot / (na * nb).squareRoot() : .nan
  }

  static func pearson(_ a: [Float], _ b: [Float]) -> Double {
    let ma = a.reduce(0.0) { $0 + Double($1) } / Double(a.count), mb = b.reduce(0.0) { $0 + Double($1) } / Double(b.count)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) { sab += (Double(x) - ma) * (Double(y) - mb); saa += (Double(x) - ma) * (Double(x) - ma); sbb += (Double(y) - mb) * (Double(y) - mb) }
    return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : .nan
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    guard let mask = context.mask else {
      throw FourierLensError.badOption(name: "--probe alignment", reason: "needs --mask (the essential-frequency mask)")
    }
    let (h, w) = (perturbations.shape[2], perturbations.shape[3])
    guard mask.shape.suffix(2) == [h, w], map.shape.suffix(2) == [h, w], mask.transform == map.transform else {
      throw FourierLensError.badOption(
        name: "--probe alignment",
        reason: "the mask (\(mask.transform.rawValue), \(mask.shape)), the adversarial map (\(map.transform.rawValue), \(map.shape)) and the \(h)×\(w) perturbations must share transform and size")
    }
    let transform = mask.transform, plane = h * w
    let essential = Self.planes(mask, height: h, width: w), adversarial = Self.planes(map, height: h, width: w)
    // |T(δ)| of every image, mean over channels, unshifted.
    let n = perturbations.shape[0], c = perturbations.shape[1]
    let coefficients = transform == .dft ? try DFT2D.forward(perturbations).magnitude : try DCT2D.forward(perturbations)
    let spectra = (0..<n).map { i in
      (0..<plane).map { j in (0..<c).reduce(Float(0)) { $0 + abs(coefficients.data[(i * c + $1) * plane + j]) } / Float(c) }
    }
    let bandIndex = try FrequencyBands.radialBandIndex(height: h, width: w, bands: radialBands, metric: .euclidean, transform: transform)
    func bands(_ v: [Float]) -> [Float] { FrequencyBands.energies(v, index: bandIndex, count: radialBands) }

    func compare(_ pairs: [([Float], [Float])]) -> [(cosine: Double, correlation: Double)] {
      pairs.map { (Self.cosine($0.0, $0.1), Self.pearson(bands($0.0), bands($0.1))) }
    }
    func perImage(_ planes: [[Float]]) -> [[Float]] {
      planes.count == n ? planes : [[Float]](repeating: Self.meanPlane(planes), count: n)
    }
    let maskVsMap = essential.count == adversarial.count
      ? compare(Array(zip(essential, adversarial))) : compare([(Self.meanPlane(essential), Self.meanPlane(adversarial))])
    let maskVsPerturbation = compare(Array(zip(perImage(essential), spectra)))
    let mapVsPerturbation = compare(Array(zip(perImage(adversarial), spectra)))

    var json: [String: JSONValue] = ["transform": .string(transform.rawValue), "radial": .number(Double(radialBands)),
                                     "images": .number(Double(n)), "resamples": .number(Double(resamples))]
    var table = CSVTable(header: ["comparison", "unit", "cosine", "band_correlation"])
    for (name, results) in [("mask_vs_map", maskVsMap), ("mask_vs_perturbation", maskVsPerturbation),
                            ("map_vs_perturbation", mapVsPerturbation)] {
      for (u, r) in results.enumerated() { table.append([name, u, r.cosine, r.correlation]) }
      json[name] = summary(results, seed: context.seed)
    }
    let meanSpectrum = Self.meanPlane(spectra)
    return ProbeOutput(json: .object(json), table: table,
                       arrays: ["perturbation_spectrum": Tensor(shape: [h, w], data: meanSpectrum)])
  }

  /// Means of the finite values with their bootstrap intervals.
  private func summary(_ results: [(cosine: Double, correlation: Double)], seed: UInt64) -> JSONValue {
    let finite = results.filter { $0.cosine.isFinite && $0.correlation.isFinite }.map { [Float($0.cosine), Float($0.correlation)] }
    guard !finite.isEmpty else { return ["units": .number(Double(results.count)), "cosine": .null, "band_correlation": .null] }
    let mean = Bootstrap.mean(finite)
    var out: [String: JSONValue] = ["units": .number(Double(finite.count)), "cosine": .number(Double(mean[0])),
                                    "band_correlation": .number(Double(mean[1]))]
    if finite.count > 1 {
      let ci = Bootstrap.differenceInterval(finite, [[0, 0]], resamples: resamples, seed: seed)
      out["cosine_ci"] = .numbers([ci.low[0], ci.high[0]])
      out["band_correlation_ci"] = .numbers([ci.low[1], ci.high[1]])
    } else {
      out["cosine_ci"] = .null
      out["band_correlation_ci"] = .null
    }
    return .object(out)
  }
}

extension MaskAlignmentProbe {
  public static let kind = ProbeKind(
    name: "alignment", summary: "--mask vs the adversarial map in DIR (learn-mask --adversarial) and its perturbations' spectrum",
    parameters: [
      ProbeParameter("adversarial", .path, required: true, help: "a `flens learn-mask --adversarial` directory"),
      .radialBands(default: 16),
      ProbeParameter("resamples", .integer, default: "1000", help: "bootstrap resamples"),
    ]
  ) { a, _ in
    let dir = a.text("adversarial")!
    let perturbations = dir + "/" + AdversarialExamples.perturbationFile
    guard FileManager.default.fileExists(atPath: perturbations) else {
      throw FourierLensError.badFile(path: perturbations, reason: "missing: adversarial=DIR must be made by `flens learn-mask --adversarial`")
    }
    return try MaskAlignmentProbe(map: try MaskRunDirectory.read(dir), perturbations: try NPY.readTensor(perturbations),
                                  radialBands: a.int("radial")!, resamples: a.int("resamples")!)
  }
}
