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

  /// Pixel outputs: finite and in [0, 1] up to float rounding (1e-5), then clamped exactly.
  static func requireUnitRange(_ values: inout [Float], _ plugin: PluginInfo, _ what: String) throws {
    try requireFinite(values, plugin, what)
    let tolerance: Float = 1e-5
    try values.withUnsafeMutableBufferPointer { p in
      for i in p.indices {
        let v = p[i]
        if v < -tolerance || v > 1 + tolerance {
          throw FourierLensError.plugin(library: plugin.library,
                                        reason: "'\(plugin.name)' \(what) holds \(v) at index \(i), outside the pixel range [0, 1]")
        }
        p[i] = min(1, max(0, v))
      }
    }
  }
}
