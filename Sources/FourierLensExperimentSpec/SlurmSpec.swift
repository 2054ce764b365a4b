import Foundation
import FourierLens

/// The `slurm:` section of an experiment file: what each kind of step asks Slurm for when the
/// experiment runs with `flens run --executor slurm`. Absent values take the defaults of
/// `SlurmSpec.StepKind.defaults`; none of it is part of any step's cache key (where a step runs does
/// not change what it computes).
///
/// ```yaml
/// slurm:
///   partition: gpu
///   train: {cpus: 4, mem: 8G, time: "04:00:00", gpus: 1}
///   mask:  {cpus: 2, mem: 4G, time: "02:00:00"}
///   shard_images: 256        # image-scope masks: images per array task
/// ```
public struct SlurmSpec: Codable, Equatable, Sendable {
  public var partition: String?
  public var train: Resources?
  public var mask: Resources?
  public var probe: Resources?
  public var report: Resources?
  /// Images per job of an image-scope mask (`masks: {scope: image}`): its images are
  /// learned by a job array, one task per shard of this many images (rounded up to a
  /// multiple of `masks.batch`, the images one run optimises at once).
  public var shardImages: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case partition, train, mask, probe, report
    case shardImages = "shard_images"
  }

  /// Images per shard when `shard_images` is not given: four chunks at the default batch of 64.
  public static let defaultShardImages = 256

  public init() {}

  /// Resources of one job; each absent value takes the step kind's default.
  public struct Resources: Codable, Equatable, Sendable {
    public var cpus: Int?
    /// Memory as sbatch's `--mem` takes it: a number with an optional K, M, G or T suffix.
    public var mem: String?
    /// Time limit as sbatch's `--time` takes it: minutes, MM:SS, HH:MM:SS or D-HH[:MM[:SS]].
    public var time: String?
    public var gpus: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case cpus, mem, time, gpus }

    public init(cpus: Int? = nil, mem: String? = nil, time: String? = nil, gpus: Int? = nil) {
      (self.cpus, self.mem, self.time, self.gpus) = (cpus, mem, time, gpus)
    }

    /// These values, with `defaults` where absent.
    public func filled(from defaults: JobResources) -> JobResources {
      JobResources(cpus: cpus ?? defaults.cpus, mem: mem ?? defaults.mem, time: time ?? defaults.time, gpus: gpus ?? defaults.gpus)
    }
  }

  /// What one job asks sbatch for: every value present (a file's `Resources` filled in from
  /// the defaults of its step kind), so that no submission can lack one.
  public struct JobResources: Equatable, Sendable {
    public var cpus: Int
    public var mem: String
    public var time: String
    public var gpus: Int
  }

  /// The kinds of step that the `slurm:` section gives resources to.
  public enum StepKind: String, CaseIterable, Sendable {
    case train, mask, probe, report

    /// Defaults per step kind: training and mask learning are the long steps.
    public var defaults: JobResources {
      switch self {
      case .train: JobResources(cpus: 2, mem: "4G", time: "04:00:00", gpus: 0)
      case .mask: JobResources(cpus: 2, mem: "4G", time: "04:00:00", gpus: 0)
      case .probe: JobResources(cpus: 2, mem: "4G", time: "02:00:00", gpus: 0)
      case .report: JobResources(cpus: 1, mem: "2G", time: "00:30:00", gpus: 0)
      }
    }
  }

  /// What the file gives step kind `kind`, if anything.
  func given(_ kind: StepKind) -> Resources? {
    switch kind {
    case .train: train
    case .mask: mask
    case .probe: probe
    case .report: report
    }
  }

  /// The resources of step kind `kind`, defaults filled in.
  public func resources(for kind: StepKind) -> JobResources {
    (given(kind) ?? Resources()).filled(from: kind.defaults)
  }

  func validate(file: String) throws {
    func bad(_ why: String) -> FourierLensError { .badFile(path: file, reason: why) }
    if let p = partition, p.isEmpty || p.contains(where: \.isWhitespace) {
      throw bad("slurm.partition must be a partition name, got '\(p)'")
    }
    if let n = shardImages, n < 1 { throw bad("slurm.shard_images must be ≥ 1, got \(n)") }
    for kind in StepKind.allCases {
      guard let r = given(kind) else { continue }
      if let c = r.cpus, c < 1 { throw bad("slurm.\(kind).cpus must be ≥ 1, got \(c)") }
      if let g = r.gpus, g < 0 { throw bad("slurm.\(kind).gpus must be ≥ 0, got \(g)") }
      if let m = r.mem, m.range(of: #"^[0-9]+[KMGT]?$"#, options: .regularExpression) == nil {
        throw bad("slurm.\(kind).mem must be a number with an optional K, M, G or T suffix (as sbatch --mem), got '\(m)'")
      }
      if let t = r.time, t.range(of: #"^([0-9]+-)?[0-9]+(:[0-9]+){0,2}$"#, options: .regularExpression) == nil {
        throw bad("slurm.\(kind).time must be minutes, MM:SS, HH:MM:SS or D-HH:MM:SS (as sbatch --time), got '\(t)'")
      }
    }
  }
}
