/// What is done to every image after decoding and before it reaches a model: grayscale
/// conversion (ITU-R BT.601 luma), resizing (bilinear, antialiased when shrinking) and a
/// centre crop, in that order. Applying it to a batch or to one image gives the same result.
public struct Preprocessing: Sendable {
  /// Convert RGB images to one luma channel (single-channel images pass unchanged).
  public var grayscale: Bool
  /// Resize every image to exactly this size (no aspect-ratio preservation).
  public var size: (height: Int, width: Int)?
  /// Keep the central region of this size (after resizing).
  public var centerCrop: (height: Int, width: Int)?

  public init(grayscale: Bool = false, size: (height: Int, width: Int)? = nil, centerCrop: (height: Int, width: Int)? = nil) {
    self.grayscale = grayscale
    self.size = size
    self.centerCrop = centerCrop
  }

  /// No change at all.
  public static let none = Preprocessing()

  public var isIdentity: Bool { !grayscale && size == nil && centerCrop == nil }

  /// The [C, H, W] of an image of shape `shape` ([C, H, W]) after preprocessing.
  public func outputShape(for shape: [Int]) throws -> [Int] {
    guard shape.count == 3 else { throw FourierLensError.shapeMismatch("an image is [C, H, W], got \(shape)") }
    var (c, h, w) = (shape[0], shape[1], shape[2])
    if grayscale {
      guard c == 1 || c == 3 else { throw FourierLensError.shapeMismatch("grayscale needs 1 or 3 channels, got \(c)") }
      c = 1
    }
    if let size {
      guard size.height > 0, size.width > 0 else { throw FourierLensError.badSetting(.size, reason: "must be positive, got \(size.height)x\(size.width)") }
      (h, w) = (size.height, size.width)
    }
    if let crop = centerCrop {
      guard crop.height > 0, crop.width > 0, crop.height <= h, crop.width <= w else {
        throw FourierLensError.shapeMismatch("cannot crop \(crop.height)x\(crop.width) from a \(h)x\(w) image")
      }
      (h, w) = (crop.height, crop.width)
    }
    return [c, h, w]
  }

  /// Preprocesses a batch ([N, C, H, W]) or one image ([C, H, W]).
  public func apply(_ images: Tensor) throws -> Tensor {
    if isIdentity { return images }
    let batched = images.rank == 4
    guard batched || images.rank == 3 else { throw FourierLensError.shapeMismatch("images are [N, C, H, W] or [C, H, W], got \(images.shape)") }
    var t = batched ? images : images.reshaped([1] + images.shape)
    _ = try outputShape(for: Array(t.shape.dropFirst()))
    if grayscale && t.shape[1] == 3 { t = ImageOps.luma(t) }
    if let size, size.height != t.shape[2] || size.width != t.shape[3] {
      t = ImageOps.resize(t, height: size.height, width: size.width)
    }
    if let crop = centerCrop { t = ImageOps.centerCrop(t, height: crop.height, width: crop.width) }
    return batched ? t : t.reshaped(Array(t.shape.dropFirst()))
  }

  /// Preprocesses the images of a batch, keeping labels and class names.
  public func apply(_ batch: ImageBatch) throws -> ImageBatch {
    if isIdentity { return batch }
    return ImageBatch(images: try apply(batch.images), labels: batch.labels, classNames: batch.classNames)
  }
}
