import CCodecs
import Foundation

/// JPEG images through libjpeg-turbo: gray and colour (YCbCr/RGB) files are read, CMYK is
/// refused, and a truncated or corrupt stream is an error rather than a gray-filled image.
public enum JPEGCodec {
  /// Decodes a JPEG file to [C, H, W] (C = 1 or 3) in [0, 1].
  public static func read(_ path: String) throws -> Tensor {
    try decode(try DecodedImage.readBytes(path), path: path)
  }

  /// Decodes JPEG bytes; `path` names the source in errors.
  public static func decode(_ bytes: Data, path: String) throws -> Tensor {
    try DecodedImage.decode(bytes, path: path, format: "JPEG") { fl_jpeg_decode($0, $1, $2, $3, $4) }
  }

  /// JPEG bytes of a [C, H, W] image in [0, 1] at `quality` (1–100): C = 1 gray, 3 RGB,
  /// 4 CMYK. Used to make test fixtures and examples; FourierLens itself writes PNG.
  public static func encode(image: Tensor, quality: Int = 95) throws -> Data {
    let (pixels, c, h, w) = try DecodedImage.interleavedBytes(image, path: "JPEG")
    var out: UnsafeMutablePointer<UInt8>?
    var size = 0
    var message = [CChar](repeating: 0, count: Int(FL_CODEC_MESSAGE_SIZE))
    let status = pixels.withUnsafeBufferPointer {
      fl_jpeg_encode($0.baseAddress, Int32(w), Int32(h), Int32(c), Int32(quality), &out, &size, &message, message.count)
    }
    guard status == Int32(FL_CODEC_OK), let out else {
      throw FourierLensError.message("JPEG encoding failed: \(String(nulTerminated: message))")
    }
    defer { fl_buffer_free(out) }
    return Data(bytes: out, count: size)
  }
}
