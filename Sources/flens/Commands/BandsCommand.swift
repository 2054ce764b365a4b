import ArgumentParser
import Foundation
import FourierLens

extension RadiusMetric: ExpressibleByArgument {}

/// `flens bands`: radial and angular energy profiles of a mask or spectrum, as in
/// Karantzas et al. (2022): the mask is divided by its L2 norm and each band's energy is
/// the L2 norm of the mask inside it.
struct BandsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bands",
    abstract: "Radial and angular energy profiles of a mask or spectrum (.npy, unshifted layout).",
    discussion: """
      INPUT is H×W, or any stack of H×W planes (C×H×W per-channel masks, one mask \
      per class or image): all planes count as one mask, with the same bands in \
      every plane. Energies: the mask is divided by its L2 norm; a band's energy is \
      the L2 norm of the mask inside it.

      DFT masks (the default) are measured in the centred spectrum: radial bands of \
      equal width from DC to the corner; angular sectors counter-clockwise from the \
      positive horizontal frequency axis (upwards positive); DC is in no sector. \
      --fold joins opposite directions (N sectors over 180°). With --transform dct, \
      radius and angle are measured from the DC corner and the sectors divide 90°.

      Example:
        flens bands runs/mask/mask.npy --radial 8 --angular 8 --fold --json
      """
  )

  @Argument(help: "The mask or spectrum, a .npy array [..., H, W] in unshifted layout.")
  var input: String

  @Option(name: .long, help: "Number of radial bands (centre outwards).")
  var radial: Int

  @Option(name: .long, help: "Number of angular sectors.")
  var angular: Int

  @Option(name: .long, help: "Radius: euclidean or l1.")
  var metric: RadiusMetric = .euclidean

  @Flag(name: .long, help: "Fold opposite directions together (sectors over 0–180°).")
  var fold = false

  @Option(name: .long, help: "The transform the mask belongs to: dft or dct.")
  var transform: TransformKind = .dft

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    if radial < 1 { throw FourierLensError.badOption(name: "--radial", reason: "needs at least 1 band, got \(radial)") }
    if angular < 1 { throw FourierLensError.badOption(name: "--angular", reason: "needs at least 1 sector, got \(angular)") }
  }

  /// The JSON object: `radial`, `angular` (the contract), the same net of the grid
  /// (`radial_normalized`, `angular_normalized`, `anisotropy`; null where undefined, see
  /// `GridNormalizedProfile`) plus what they were measured with.
  struct Report: Encodable {
    var radial: [Float]
    var angular: [Float]
    var radialNormalized: [Float?]
    var angularNormalized: [Float?]
    var anisotropy: Float?
    var metric: RadiusMetric
    var fold: Bool
    var transform: TransformKind
    var shape: [Int]

    enum CodingKeys: String, CodingKey {
      case radial, angular, radialNormalized = "radial_normalized", angularNormalized = "angular_normalized"
      case anisotropy, metric, fold, transform, shape
    }
  }

  /// NaN (undefined) as nil, so that JSON says null.
  static func defined(_ v: Float) -> Float? { v.isNaN ? nil : v }

  func run() throws {
    let mask = try NPY.readTensor(input)
    guard mask.rank >= 2, mask.shape.allSatisfy({ $0 > 0 }) else {
      throw FourierLensError.badFile(path: input, reason: "expected a mask of shape [..., H, W], got \(mask.shape)")
    }
    guard mask.isFinite else { throw FourierLensError.badFile(path: input, reason: "the mask holds NaN or infinity") }
    let profile = try FrequencyBands.profile(mask, radial: radial, angular: angular, metric: metric,
                                             foldOpposite: fold, transform: transform)
    let normalized = try FrequencyBands.gridNormalizedProfile(mask, radial: radial, angular: angular, metric: metric,
                                                              foldOpposite: fold, transform: transform)
    if json {
      let report = Report(radial: profile.radial, angular: profile.angular,
                          radialNormalized: normalized.radial.map(Self.defined),
                          angularNormalized: normalized.angular.map(Self.defined),
                          anisotropy: Self.defined(normalized.anisotropy), metric: metric, fold: fold,
                          transform: transform, shape: mask.shape)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      print(table(profile, normalized, shape: mask.shape))
    }
  }

  func table(_ profile: BandProfile, _ normalized: GridNormalizedProfile, shape: [Int]) -> String {
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let maxRadius = FrequencyBands.maximumRadius(height: h, width: w, metric: metric, transform: transform)
    let span = FrequencyBands.angularSpan(foldOpposite: fold, transform: transform)
    func f(_ v: Double, _ digits: Int) -> String { v.isNaN ? "–" : String(format: "%.\(digits)f", v) }
    var lines = ["\(input): \(shape.map(String.init).joined(separator: "x")), \(transform.rawValue), \(metric.rawValue) radius"
                 + (fold ? ", opposite directions folded" : "")]
    lines.append("band  radius            energy  net of grid")
    for (b, e) in profile.radial.enumerated() {
      let lo = maxRadius * Double(b) / Double(radial), hi = maxRadius * Double(b + 1) / Double(radial)
      let range = "[\(f(lo, 2)), \(f(hi, 2))\(b == radial - 1 ? "]" : ")")"
      lines.append("\(String(b).padding(toLength: 6, withPad: " ", startingAt: 0))"
                   + "\(range.padding(toLength: 18, withPad: " ", startingAt: 0))\(f(Double(e), 4))  "
                   + f(Double(normalized.radial[b]), 4))
    }
    lines.append("sector  degrees         energy  net of grid")
    for (s, e) in profile.angular.enumerated() {
      let lo = span * Double(s) / Double(angular), hi = span * Double(s + 1) / Double(angular)
      let range = "[\(f(lo, 1)), \(f(hi, 1)))"
      lines.append("\(String(s).padding(toLength: 8, withPad: " ", startingAt: 0))"
                   + "\(range.padding(toLength: 16, withPad: " ", startingAt: 0))\(f(Double(e), 4))  "
                   + f(Double(normalized.angular[s]), 4))
    }
    lines.append("anisotropy (coefficient of variation of the sectors net of the grid): \(f(Double(normalized.anisotropy), 4))")
    return lines.joined(separator: "\n")
  }
}
