import CCodecs
import Foundation

/// Glue between the C codecs and tensors: reading a file's bytes, calling a decoder,
/// turning its interleaved samples into a planar [C, H, W] tensor in [0, 1].
enum DecodedImage {
  /// The whole file, or a badFile error naming it.
  static func readBytes(_ path: String) throws -> Data {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      throw FourierLensError.badFile(path: path, reason: "no such file")
    }
    guard !isDirectory.boolValue else { throw FourierLensError.badFile(path: path, reason: "is a directory, not an image") }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw FourierLensError.badFile(path: path, reason: "cannot read the file")
    }
  }

  typealias Decoder = (UnsafePointer<UInt8>?, Int, UnsafeMutablePointer<fl_image>?, UnsafeMutablePointer<CChar>?, Int) -> Int32

  /// Runs a C decoder over `bytes` and converts the result; `format` names it in errors.
  static func decode(_ bytes: Data, path: String, format: String, with decoder: Decoder) throws -> Tensor {
    var image = fl_image()
    var message = [CChar](repeating: 0, count: Int(FL_CODEC_MESSAGE_SIZE))
    let status = bytes.withUnsafeBytes { raw in
      decoder(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &image, &message, message.count)
    }
    defer { fl_image_free(&image) }
    guard status == Int32(FL_CODEC_OK) else {
      let text = String(nulTerminated: message)
      switch Int(status) {
      case Int(FL_CODEC_UNSUPPORTED): throw FourierLensError.badFile(path: path, reason: "unsupported \(format): \(text)")
      default: throw FourierLensError.badFile(path: path, reason: "not a valid \(format) (\(text.isEmpty ? "decoder failure" : text))")
      }
    }
    return planar(image)
  }

  /// [C, H, W] Float tensor in [0, 1] from interleaved samples; an alpha channel (2 or 4
  /// channels) is dropped, not composited.
  static func planar(_ image: fl_image) -> Tensor {
    let (w, h, c) = (Int(image.width), Int(image.height), Int(image.channels))
    let kept = (c == 2 || c == 4) ? c - 1 : c
    let plane = w * h
    var data = [Float](repeating: 0, count: kept * plane)
    data.withUnsafeMutableBufferPointer { out in
      if image.bit_depth == 16 {
        let src = UnsafeRawPointer(image.pixels!).assumingMemoryBound(to: UInt16.self)
        let scale: Float = 1 / 65535
        for k in 0 ..< kept {
          for i in 0 ..< plane { out[k * plane + i] = Float(src[i * c + k]) * scale }
        }
      } else {
        let src = image.pixels!
        ByteScaling.unit.withUnsafeBufferPointer { table in
          for k in 0 ..< kept {
            for i in 0 ..< plane { out[k * plane + i] = table[Int(src[i * c + k])] }
          }
        }
      }
    }
    return Tensor(shape: [kept, h, w], data: data)
  }

  /// Interleaved 8-bit samples of a [C, H, W] tensor in [0, 1] (clamped, rounded).
  static func interleavedBytes(_ image: Tensor, path: String) throws -> (pixels: [UInt8], channels: Int, height: Int, width: Int) {
    guard image.rank == 3 || image.rank == 2 else {
      throw FourierLensError.shapeMismatch("an image to write is [C, H, W] or [H, W], got \(image.shape) (\(path))")
    }
    let (c, h, w) = image.rank == 3 ? (image.shape[0], image.shape[1], image.shape[2]) : (1, image.shape[0], image.shape[1])
    guard image.isFinite else { throw FourierLensError.nonFinite("image to write to \(path)") }
    let plane = h * w
    var pixels = [UInt8](repeating: 0, count: c * plane)
    image.data.withUnsafeBufferPointer { src in
      pixels.withUnsafeMutableBufferPointer { dst in
        for k in 0 ..< c {
          for i in 0 ..< plane {
            let v = min(max(src[k * plane + i], 0), 1)
            dst[i * c + k] = UInt8((v * 255).rounded())
          }
        }
      }
    }
    return (pixels, c, h, w)
  }
}
