import Foundation
import FourierLens

/// `gradient-spectrum.json` of `flens probe`: the band measures of the loss's input-gradient
/// spectrum, mean over images with 95 % bootstrap intervals over images.
public struct GradientSpectrumProbeResult: Equatable, Sendable {
  public var images: Int
  public var throughMask: Bool
  public var radial: [Double]
  public var radialInterval: [[Double]]
  public var lowFrequencyShare: Double
  public var lowFrequencyShareInterval: [Double]
  public var anisotropy: Double
  public var anisotropyInterval: [Double]
  /// The mean magnitude spectrum's file (C×H×W, unshifted).
  public var spectrumFile: String

  static func read(_ file: ProbeFile) throws -> GradientSpectrumProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    func numbers(_ key: String) -> [Double] { (json[key]?.arrayValue ?? []).map { $0.doubleValue ?? .nan } }
    func pairs(_ key: String) -> [[Double]] { (json[key]?.arrayValue ?? []).map { ($0.arrayValue ?? []).map { $0.doubleValue ?? .nan } } }
    let radial = numbers("radial"), radialInterval = pairs("radial_ci")
    guard !radial.isEmpty, radial.allSatisfy(\.isFinite), radialInterval.count == radial.count,
          radialInterval.allSatisfy({ $0.count == 2 }),
          let share = json["low_frequency_share"]?.doubleValue, share.isFinite,
          let anisotropy = json["anisotropy"]?.doubleValue else {
      throw FourierLensError.badFile(path: file.json, reason: "needs finite radial (with radial_ci pairs), low_frequency_share and anisotropy")
    }
    var throughMask = false
    if case let .bool(b)? = json["through_mask"] { throughMask = b }
    let spectrum = try file.requiredArray("spectrum")
    return GradientSpectrumProbeResult(
      images: Int(json["images"]?.doubleValue ?? 0), throughMask: throughMask, radial: radial, radialInterval: radialInterval,
      lowFrequencyShare: share, lowFrequencyShareInterval: numbers("low_frequency_share_ci"), anisotropy: anisotropy,
      anisotropyInterval: numbers("anisotropy_ci"), spectrumFile: spectrum.path)
  }
}
