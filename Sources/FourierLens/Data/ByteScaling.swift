/// Conversion of 8-bit pixel values to [0, 1]. A table of the 256 correctly rounded
/// quotients b / 255 is both exact (multiplying by 1/255 is off by one ulp for some
/// bytes) and faster than a division per pixel.
enum ByteScaling {
  static let unit: [Float] = (0 ..< 256).map { Float($0) / 255 }

  /// out[i] = bytes[i] / 255 for `count` values.
  @inline(__always)
  static func convert(_ bytes: UnsafePointer<UInt8>, to out: UnsafeMutablePointer<Float>, count: Int) {
    unit.withUnsafeBufferPointer { table in
      for i in 0 ..< count { out[i] = table[Int(bytes[i])] }
    }
  }
}
