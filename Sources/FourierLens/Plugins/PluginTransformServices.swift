import FourierLensPluginABI

/// TEMPORARY until the core's frequency code is merged: these services report that the
/// transforms are not available yet.
enum PluginTransformServices {
  static func forward(_ kind: UInt32, _ planes: UInt64, _ h: UInt32, _ w: UInt32, _ input: UnsafePointer<Float>?,
                      _ real: UnsafeMutablePointer<Float>?, _ imag: UnsafeMutablePointer<Float>?) throws {
    throw FourierLensError.message("transforms not merged yet")
  }
  static func inverse(_ kind: UInt32, _ planes: UInt64, _ h: UInt32, _ w: UInt32, _ real: UnsafePointer<Float>?,
                      _ imag: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>?) throws {
    throw FourierLensError.message("transforms not merged yet")
  }
  static func applyMask(_ kind: UInt32, _ images: UnsafeMutablePointer<Float>?, _ n: UInt64, _ c: UInt32, _ h: UInt32,
                        _ w: UInt32, _ mask: UnsafePointer<Float>?, _ maskChannels: UInt32) throws {
    throw FourierLensError.message("transforms not merged yet")
  }
}
