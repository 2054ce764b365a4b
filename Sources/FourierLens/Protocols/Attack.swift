/// An adversarial attack: given a classifier and a pixel-space batch, return a
/// perturbed pixel-space batch (same shape, values in [0, 1]) that stays within the
/// attack's budget. Bundled attacks are plugins; the host adapts them to this protocol.
public protocol Attack: AnyObject {
  var name: String { get }
  /// A one-line description of the attack and its options, for logs and reports.
  var summary: String { get }
  func perturb(_ batch: ImageBatch, model: Classifier, seed: UInt64) throws -> Tensor
}

/// A data augmentation (or corruption): changes a pixel-space batch in place, keeping
/// its shape and the [0, 1] range, deterministically for a given seed.
public protocol Augmentation: AnyObject {
  var name: String { get }
  var summary: String { get }
  func apply(_ images: inout Tensor, seed: UInt64) throws
}
