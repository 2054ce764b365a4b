import Foundation
import FourierLens
import FourierLensExperimentSpec

/// One unit of an experiment's work, named as `flens run --step` takes it: `train/NAME`,
/// `mask/NAME`, `mask-seed/NAME/K` (seed K of a multi-seed mask, a Slurm array task),
/// `mask-shard/NAME/K/S` (shard S of the images of seed K of an image-scope mask, a Slurm
/// array task), `adversarial-map/NAME` (with `adversarial_maps:`), `image-masks/NAME` (with
/// `image_masks:`), `probe/NAME` and `report`.
/// `mask/NAME` learns what its seeds or shards did not and writes the mask directory, so
/// after they ran it is the merge step.
public enum ExperimentStep: Hashable, Sendable, CustomStringConvertible {
  case train(String)
  case mask(String)
  case maskSeed(String, Int)
  case maskShard(String, seed: Int, shard: Int)
  case adversarialMap(String)
  case imageMasks(String)
  case probe(String)
  case report

  public init(parsing text: String) throws {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    switch (parts.first, parts.count) {
    case ("train", 2): self = .train(parts[1])
    case ("mask", 2): self = .mask(parts[1])
    case ("mask-seed", 3) where Int(parts[2]).map { $0 >= 0 } == true: self = .maskSeed(parts[1], Int(parts[2])!)
    case ("mask-shard", 4) where parts[2...].allSatisfy({ Int($0).map { $0 >= 0 } == true }):
      self = .maskShard(parts[1], seed: Int(parts[2])!, shard: Int(parts[3])!)
    case ("adversarial-map", 2): self = .adversarialMap(parts[1])
    case ("image-masks", 2): self = .imageMasks(parts[1])
    case ("probe", 2): self = .probe(parts[1])
    case ("report", 1): self = .report
    default:
      throw FourierLensError.badOption(name: "--step", reason: "'\(text)' is not a step: train/NAME, mask/NAME, mask-seed/NAME/K, mask-shard/NAME/K/S, adversarial-map/NAME, image-masks/NAME, probe/NAME or report")
    }
  }

  public var description: String {
    switch self {
    case let .train(name): return "train/\(name)"
    case let .mask(name): return "mask/\(name)"
    case let .maskSeed(name, k): return "mask-seed/\(name)/\(k)"
    case let .maskShard(name, k, s): return "mask-shard/\(name)/\(k)/\(s)"
    case let .adversarialMap(name): return "adversarial-map/\(name)"
    case let .imageMasks(name): return "image-masks/\(name)"
    case let .probe(name): return "probe/\(name)"
    case .report: return "report"
    }
  }

  /// The step kind whose resources (`slurm:` in the experiment file) a job of this step asks for.
  public var resourceKind: SlurmSpec.StepKind {
    switch self {
    case .train: return .train
    case .mask, .maskSeed, .maskShard, .adversarialMap, .imageMasks: return .mask
    case .probe: return .probe
    case .report: return .report
    }
  }
}
