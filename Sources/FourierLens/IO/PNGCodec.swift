import CCodecs
import Foundation

/// PNG images: every colour type and bit depth is read (palette, gray and low bit depths
/// expanded, 16-bit kept at full precision, interlacing undone, alpha dropped); 8-bit
/// gray, gray+alpha, RGB and RGBA are written. libpng runs inside C wrappers, so its
/// errors arrive as thrown `FourierLensError.badFile` naming the file.
public enum PNGCodec {
  /// Decodes a PNG file to [C, H, W] (C = 1 or 3) in [0, 1].
  public static func read(_ path: String) throws -> Tensor {
    try decode(try DecodedImage.readBytes(path), path: path)
  }

  /// Decodes PNG bytes; `path` names the source in errors.
  public static func decode(_ bytes: Data, path: String) throws -> Tensor {
    try DecodedImage.decode(bytes, path: path, format: "PNG") { fl_png_decode($0, $1, $2, $3, $4) }
  }

  /// PNG bytes of 8-bit interleaved samples (channels 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA).
  public static func encode(pixels: [UInt8], width: Int, height: Int, channels: Int) throws -> Data {
    guard (1 ... 4).contains(channels), width > 0, height > 0, pixels.count == width * height * channels else {
      throw FourierLensError.shapeMismatch("PNG encode: \(pixels.count) samples for \(width)x\(height)x\(channels)")
    }
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    var message = [CChar](repeating: 0, count: Int(FL_CODEC_MESSAGE_SIZE))
    let status = pixels.withUnsafeBufferPointer {
      fl_png_encode($0.baseAddress, Int32(width), Int32(height), Int32(channels), &out, &size, &message, message.count)
    }
    guard status == Int32(FL_CODEC_OK), let out else {
      throw FourierLensError.message("PNG encoding failed: \(String(nulTerminated: message))")
    }
    defer { fl_buffer_free(out) }
    return Data(bytes: out, count: size)
  }

  /// Writes 8-bit interleaved samples as a PNG file (atomically).
  public static func write(pixels: [UInt8], width: Int, height: Int, channels: Int, to path: String) throws {
    try AtomicFile.write(encode(pixels: pixels, width: width, height: height, channels: channels), to: path)
  }

  /// Writes a [C, H, W] (C = 1, 2, 3 or 4) or [H, W] image in [0, 1] as an 8-bit PNG
  /// (values clamped to [0, 1] and rounded to the nearest of 256 levels).
  public static func write(image: Tensor, to path: String) throws {
    let (pixels, c, h, w) = try DecodedImage.interleavedBytes(image, path: path)
    guard (1 ... 4).contains(c) else {
      throw FourierLensError.shapeMismatch("a PNG has 1 to 4 channels, got an image of shape \(image.shape) (\(path))")
    }
    try write(pixels: pixels, width: w, height: h, channels: c, to: path)
  }
}
