/// Checks on buffers a plugin filled, before the host uses them. Output buffers are
/// pre-filled with NaN, so an entry a plugin forgot to write fails the finiteness check
/// instead of passing stale values along.
enum PluginBufferChecks {
  static func requireFinite(_ values: UnsafeBufferPointer<Float>, _ plugin: PluginInfo, _ what: String) throws {
    for i in values.indices where !values[i].isFinite {
      throw FourierLensError.plugin(
        library: plugin.library,
        reason: "'\(plugin.name)' \(what) holds \(values[i]) at index \(i) of \(values.count) (NaN, infinity, or never written)")
    }
  }

  static func requireFinite(_ values: [Float], _ plugin: PluginInfo, _ what: String) throws {
    try values.withUnsafeBufferPointer { try requireFinite($0, plugin, what) }
  }

  /// Where flat index `i` of an NCHW batch is, in words: "image 3, channel 0, row 2, column 5".
  static func position(_ i: Int, in shape: [Int]) -> String {
    let (c, h, w) = (shape[1], shape[2], shape[3])
    return "image \(i / (c * h * w)), channel \((i / (h * w)) % c), row \((i / w) % h), column \(i % w)"
  }

  /// Pixel outputs: finite and in [0, 1] up to float rounding (1e-5), then clamped exactly.
  /// With `imageShape` ([N, C, H, W]) a bad value is located by image, channel and pixel.
  static func requireUnitRange(_ values: inout [Float], _ plugin: PluginInfo, _ what: String, imageShape: [Int]? = nil) throws {
    let total = values.count
    func at(_ i: Int) -> String {
      guard let s = imageShape, s.count == 4, s.reduce(1, *) == total else { return "at index \(i) of \(total)" }
      return "at \(position(i, in: s)) (index \(i) of \(total))"
    }
    if let i = values.firstIndex(where: { !$0.isFinite }) {
      throw FourierLensError.plugin(
        library: plugin.library, reason: "'\(plugin.name)' \(what) holds \(values[i]) \(at(i)) (NaN, infinity, or never written)")
    }
    let tolerance: Float = 1e-5
    try values.withUnsafeMutableBufferPointer { p in
      for i in p.indices {
        let v = p[i]
        if v < -tolerance || v > 1 + tolerance {
          throw FourierLensError.plugin(library: plugin.library,
                                        reason: "'\(plugin.name)' \(what) holds \(v) \(at(i)), outside the pixel range [0, 1]")
        }
        p[i] = min(1, max(0, v))
      }
    }
  }
}
