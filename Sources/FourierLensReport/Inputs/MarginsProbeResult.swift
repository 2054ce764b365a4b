import Foundation
import FourierLens

/// `margins.json` with `margins.median_margin.npy` of `flens probe --probe margins`: the
/// median L2 margin per DCT block ("Hold me tight!"), +∞ where at least half the images
/// could not be flipped from that block.
public struct MarginsProbeResult: Equatable, Sendable {
  /// Block side in DCT coefficients.
  public var block: Int
  /// Blocks down and across.
  public var rows: Int
  public var columns: Int
  /// Median margins, row-major, block [0, 0] holding DC; +∞ for "cannot flip".
  public var medianMargin: [Float]
  /// Fraction of images flipped from each block.
  public var flippedFraction: [Float]
  public var count: Int

  /// Reads the JSON and its median-margin array (the JSON's `median_margin` grid has no
  /// infinities, so the .npy is required).
  static func read(_ file: ProbeFile) throws -> MarginsProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    guard let block = json["block"]?.doubleValue, block >= 1, block == block.rounded() else {
      throw FourierLensError.badFile(path: file.json, reason: "needs a positive integer `block`")
    }
    let (medians, npy) = try file.requiredArray("median_margin")
    guard medians.rank == 2, medians.shape[0] > 0, medians.shape[1] > 0,
          medians.data.allSatisfy({ !$0.isNaN && $0 >= 0 }) else {
      throw FourierLensError.badFile(path: npy, reason: "expected a rows×columns array of margins ≥ 0 (+inf allowed), got shape \(medians.shape)")
    }
    let flipped = (json["flipped_fraction"]?.arrayValue ?? []).flatMap { $0.arrayValue?.compactMap(\.doubleValue) ?? [] }
    guard flipped.count == medians.count, flipped.allSatisfy({ $0.isFinite }) else {
      throw FourierLensError.badFile(path: file.json, reason: "flipped_fraction is not a \(medians.shape[0])×\(medians.shape[1]) grid of numbers")
    }
    return MarginsProbeResult(block: Int(block), rows: medians.shape[0], columns: medians.shape[1], medianMargin: medians.data,
                              flippedFraction: flipped.map(Float.init), count: Int(json["count"]?.doubleValue ?? 0))
  }
}
