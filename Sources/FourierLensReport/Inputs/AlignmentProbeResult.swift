import Foundation
import FourierLens

/// `alignment.json` with `alignment.perturbation_spectrum.npy` of `flens probe --probe
/// alignment`: the essential mask against the adversarial map and the perturbations' spectrum.
public struct AlignmentProbeResult: Equatable, Sendable {
  public struct Comparison: Equatable, Sendable {
    public var name: String
    public var units: Int
    public var cosine: Double?
    public var cosineInterval: [Double]?
    public var bandCorrelation: Double?
    public var bandCorrelationInterval: [Double]?
  }

  public var transform: TransformKind
  public var comparisons: [Comparison]
  /// Mean |T(δ)| over the images, unshifted H×W.
  public var spectrum: [Float]
  public var rows: Int
  public var columns: Int

  static let names = ["mask_vs_map", "mask_vs_perturbation", "map_vs_perturbation"]

  static func read(_ file: ProbeFile) throws -> AlignmentProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    let (spectrum, npy) = try file.requiredArray("perturbation_spectrum")
    guard spectrum.rank == 2, spectrum.isFinite else {
      throw FourierLensError.badFile(path: npy, reason: "expected a finite H×W spectrum, got shape \(spectrum.shape)")
    }
    guard let transform = json["transform"]?.stringValue.flatMap(TransformKind.init(rawValue:)) else {
      throw FourierLensError.badFile(path: file.json, reason: "needs `transform` (dft or dct)")
    }
    let comparisons = try names.map { name -> Comparison in
      guard let part = json[name] else { throw FourierLensError.badFile(path: file.json, reason: "missing `\(name)`") }
      func pair(_ key: String) -> [Double]? {
        let v = part[key]?.arrayValue?.compactMap(\.doubleValue)
        return v?.count == 2 ? v : nil
      }
      return Comparison(name: name, units: Int(part["units"]?.doubleValue ?? 0), cosine: part["cosine"]?.doubleValue,
                        cosineInterval: pair("cosine_ci"), bandCorrelation: part["band_correlation"]?.doubleValue,
                        bandCorrelationInterval: pair("band_correlation_ci"))
    }
    return AlignmentProbeResult(transform: transform, comparisons: comparisons, spectrum: spectrum.data,
                                rows: spectrum.shape[0], columns: spectrum.shape[1])
  }
}
