import Foundation

/// Reads an image whatever its format, recognised by its first bytes (not its name).
public enum ImageFile {
  public enum Format: String, Sendable {
    case png
    case jpeg
  }

  /// The format of these leading bytes, if FourierLens can read it.
  public static func format(of bytes: Data) -> Format? {
    let b = [UInt8](bytes.prefix(8))
    if b.count >= 8 && b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] { return .png }
    if b.count >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF { return .jpeg }
    return nil
  }

  /// True for names with an image extension FourierLens reads (.png, .jpg, .jpeg; any case).
  public static func hasImageExtension(_ name: String) -> Bool {
    ["png", "jpg", "jpeg"].contains((name as NSString).pathExtension.lowercased())
  }

  /// Decodes a PNG or JPEG file to [C, H, W] (C = 1 or 3) in [0, 1].
  public static func read(_ path: String) throws -> Tensor {
    let bytes = try DecodedImage.readBytes(path)
    switch format(of: bytes) {
    case .png: return try PNGCodec.decode(bytes, path: path)
    case .jpeg: return try JPEGCodec.decode(bytes, path: path)
    case nil:
      throw FourierLensError.badFile(path: path, reason: bytes.isEmpty ? "empty file" : "not a PNG or JPEG image")
    }
  }
}
