import Foundation

/// The image-scope masks learned so far, one chunk of `batch` images at a time (see
/// `MaskLearner.learnImageChunk`), kept in a directory so that a killed run continues after
/// its last chunk and separate processes (Slurm array tasks) can each learn a range of
/// chunks that one run then assembles, bit for bit, into the mask directory.
///
/// ```
/// DIR/images.json                      the number of images the chunks cover
/// DIR/seed-<seed>/chunk-<c>.masks.npy  the chunk's masks (images × mask shape)
/// DIR/seed-<seed>/chunk-<c>.theta.npy  their parameters
/// DIR/seed-<seed>/chunk-<c>.json       the rest of its result; written last, it marks the chunk done
/// ```
///
/// Masks and parameters go to `.npy` (float32 bits, exact); the rest is JSON, which
/// round-trips floats exactly (as the learners' checkpoints already rely on).
public struct ImageChunkStore: Sendable {
  public let directory: String

  public init(directory: String) { self.directory = directory }

  /// The store of the image masks written to mask directory `dir`: `dir/.image-chunks`.
  public init(maskDirectory dir: String) { self.init(directory: dir + "/.image-chunks") }

  struct ImageCount: Codable { var images: Int }

  private func base(seed: UInt64, chunk: Int) -> String { directory + "/seed-\(seed)/chunk-\(chunk)" }

  /// Records how many images the run's data has, so that a reader can tell which chunks
  /// exist without opening the data.
  public func recordImageCount(_ images: Int) throws {
    if imageCount == images { return }
    try AtomicFile.writeJSON(ImageCount(images: images), to: directory + "/images.json")
  }

  /// The number of images recorded by `recordImageCount`, if any.
  public var imageCount: Int? {
    guard let data = FileManager.default.contents(atPath: directory + "/images.json") else { return nil }
    return (try? JSONDecoder().decode(ImageCount.self, from: data))?.images
  }

  /// Whether chunk `chunk` of the run with `config` is kept (without reading its masks).
  public func contains(chunk: Int, config: MaskLearningConfig) -> Bool {
    facts(base(seed: config.seed, chunk: chunk))?.config == config
  }

  /// Chunk `chunk` of the run with `config`, or nil when it was not kept (or was kept for
  /// another configuration, or is damaged: then it is learned again).
  public func load(chunk: Int, config: MaskLearningConfig) -> MaskLearningResult? {
    let base = base(seed: config.seed, chunk: chunk)
    guard var r = facts(base), r.config == config,
          let masks = try? NPY.readTensor(base + ".masks.npy"), let theta = try? NPY.readTensor(base + ".theta.npy"),
          masks.count == r.maskCount * r.maskShape.reduce(1, *), theta.count % max(1, r.maskCount) == 0 else { return nil }
    (r.masks, r.theta) = (masks.data, theta.data)
    return r
  }

  /// Keeps chunk `chunk`'s result; its JSON, written last, makes it visible to `load`.
  public func save(_ r: MaskLearningResult, chunk: Int) throws {
    let base = base(seed: r.config.seed, chunk: chunk)
    try NPY.write(Tensor(shape: [r.maskCount, r.masks.count / max(1, r.maskCount)], data: r.masks), to: base + ".masks.npy")
    try NPY.write(Tensor(shape: [r.maskCount, r.theta.count / max(1, r.maskCount)], data: r.theta), to: base + ".theta.npy")
    var facts = r
    (facts.masks, facts.theta) = ([], [])  // in the .npy files
    try AtomicFile.write(JSONEncoder().encode(facts), to: base + ".json")
  }

  /// A chunk's result without its masks and parameters, from its JSON.
  private func facts(_ base: String) -> MaskLearningResult? {
    FileManager.default.contents(atPath: base + ".json").flatMap { try? JSONDecoder().decode(MaskLearningResult.self, from: $0) }
  }

  /// Removes the store (after the mask directory was written from it).
  public func remove() throws {
    if FileManager.default.fileExists(atPath: directory) { try FileManager.default.removeItem(atPath: directory) }
  }
}
