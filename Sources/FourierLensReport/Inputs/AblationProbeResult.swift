import Foundation
import FourierLens

/// `ablation.json` with `ablation.loss_increase.npy` of `flens probe --probe ablation`:
/// per class, the loss increase when each DFT frequency (and its mirror) is removed, and
/// the TPR/FPR of the class masks built from its top k %.
public struct AblationProbeResult: Equatable, Sendable {
  public var classes: [String]
  public var rows: Int
  public var columns: Int
  /// [classes, H, W], unshifted DFT layout.
  public var lossIncrease: [Float]
  public var topKPercent: [Double]
  /// Mean over classes of TPR and FPR, per k.
  public var meanTPR: [Double]
  public var meanFPR: [Double]

  static func read(_ file: ProbeFile) throws -> AblationProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    let (map, npy) = try file.requiredArray("loss_increase")
    guard map.rank == 3, map.shape.allSatisfy({ $0 > 0 }), map.isFinite else {
      throw FourierLensError.badFile(path: npy, reason: "expected a finite classes×H×W array, got shape \(map.shape)")
    }
    let percents = (json["top_k_percent"]?.arrayValue ?? []).compactMap(\.doubleValue)
    let tpr = (json["mean_tpr"]?.arrayValue ?? []).map { $0.doubleValue ?? .nan }
    let fpr = (json["mean_fpr"]?.arrayValue ?? []).map { $0.doubleValue ?? .nan }
    guard !percents.isEmpty, tpr.count == percents.count, fpr.count == percents.count else {
      throw FourierLensError.badFile(path: file.json, reason: "top_k_percent, mean_tpr and mean_fpr must be equally long, non-empty lists")
    }
    let classes = (json["classes"]?.arrayValue ?? []).compactMap(\.stringValue)
    return AblationProbeResult(classes: classes.count == map.shape[0] ? classes : (0..<map.shape[0]).map(String.init),
                               rows: map.shape[1], columns: map.shape[2], lossIncrease: map.data, topKPercent: percents,
                               meanTPR: tpr, meanFPR: fpr)
  }

  /// Mean over classes, unshifted.
  public var meanIncrease: [Float] {
    let plane = rows * columns, k = lossIncrease.count / plane
    return (0..<plane).map { i in (0..<k).reduce(Float(0)) { $0 + lossIncrease[$1 * plane + i] } / Float(k) }
  }
}
