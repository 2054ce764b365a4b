import Foundation
import FourierLens

extension ExperimentSpec {
  /// `image_masks:` — one mask per image (learn-mask's `--scope image`) for each model, on the
  /// first `images` test images, besides the masks of `masks:` (whose scope they do not need
  /// to share). The parameterization, transform, objective and channel layout are those of
  /// `masks:`; λ, learning rate, epochs and batch default to learn-mask's single-image
  /// settings. The `embedding` probe of an experiment with `image_masks:` reads them, so one
  /// experiment can learn dataset masks at matched retention and embed per-image masks.
  ///
  /// ```yaml
  /// masks: {retention: [0.95]}         # dataset masks, as before
  /// image_masks: {images: 500}          # and one mask per test image
  /// probes: {run: [accuracy, embedding]}
  /// ```
  public struct ImageMaskSpec: Codable, Equatable {
    /// How many test images, from the first, get a mask (default 500).
    public var images: Int?
    public var lambda: Float?
    public var lr: Float?
    public var epochs: Int?
    public var batch: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case images, lambda, lr, epochs, batch }

    public init(images: Int? = nil) { self.images = images }

    func validate(file: String) throws {
      if let images, images < 1 { throw FourierLensError.badFile(path: file, reason: "image_masks.images must be ≥ 1, got \(images)") }
    }
  }
}
