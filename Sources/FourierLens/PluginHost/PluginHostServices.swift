import FourierLensPluginABI
import Foundation

/// The host-services table (`flens_host_services`) the host hands to every plugin library:
/// logging, per-call error messages, the core's seeded RNG, and the core's frequency
/// transforms, mask operator, frequency grid and band map. Allocated once; lives for the
/// process (plugins keep the pointer).
enum PluginHostServices {
  // Safe to share across threads although a pointer is not `Sendable`: Swift initialises a
  // static `let` exactly once (thread-safely), the table is written only inside that
  // initialiser and only read afterwards (by the host and by plugins on any thread), and
  // it is never freed.
  nonisolated(unsafe) static let table: UnsafePointer<flens_host_services> = {
    let p = UnsafeMutablePointer<flens_host_services>.allocate(capacity: 1)
    p.initialize(to: flens_host_services(
      struct_size: UInt32(MemoryLayout<flens_host_services>.size),
      abi_version: FLENS_PLUGIN_ABI_VERSION,
      log: { level, message in PluginHostServices.log(level, message) },
      set_error: { message in
        PluginCallContext.current.errorMessage = message.map { String(cString: $0) } ?? "(null message)"
      },
      rng_derive: { seed, stream in SeededGenerator.derive(seed, stream) },
      rng_uniform: { state, out, count in PluginHostServices.fill(state, out, count, gaussian: false) },
      rng_gaussian: { state, out, count in PluginHostServices.fill(state, out, count, gaussian: true) },
      transform_forward: { kind, planes, h, w, input, real, imag in
        PluginHostServices.serve("transform_forward") {
          try PluginTransformServices.forward(kind, planes, h, w, input, real, imag)
        }
      },
      transform_inverse: { kind, planes, h, w, real, imag, out in
        PluginHostServices.serve("transform_inverse") {
          try PluginTransformServices.inverse(kind, planes, h, w, real, imag, out)
        }
      },
      apply_mask: { kind, images, n, c, h, w, mask, maskChannels in
        PluginHostServices.serve("apply_mask") {
          try PluginTransformServices.applyMask(kind, images, n, c, h, w, mask, maskChannels)
        }
      },
      frequency_grid: { kind, h, w, fy, fx in
        PluginHostServices.serve("frequency_grid") {
          let t = try transformKind(kind)
          guard let fy, let fx, h > 0, w > 0 else { throw FourierLensError.message("null output or empty plane") }
          let grid = FrequencyGrid.coordinates(t, height: Int(h), width: Int(w))
          fy.update(from: grid.fy, count: grid.fy.count)
          fx.update(from: grid.fx, count: grid.fx.count)
        }
      },
      band_map: { kind, h, w, radial, angular, out in
        PluginHostServices.serve("band_map") {
          let t = try transformKind(kind)
          guard let out else { throw FourierLensError.message("null output") }
          let map = try bandMap(t, height: Int(h), width: Int(w), radial: Int(radial), angular: Int(angular))
          out.update(from: map, count: map.count)
        }
      }
    ))
    return UnsafePointer(p)
  }()

  /// The band map of the ABI: the core's `FrequencyBands` radial bands (Euclidean radius)
  /// and unfolded angular sectors, combined as r·angular + a; DC, which has no direction,
  /// goes to sector 0 of ring 0.
  static func bandMap(_ t: TransformKind, height: Int, width: Int, radial: Int, angular: Int) throws -> [Int32] {
    let rings = try FrequencyBands.radialBandIndex(height: height, width: width, bands: radial, metric: .euclidean, transform: t)
    let sectors = try FrequencyBands.angularSectorIndex(height: height, width: width, sectors: angular, foldOpposite: false,
                                                        transform: t)
    return zip(rings, sectors).map { Int32($0 * angular + max(0, $1)) }
  }

  /// Runs a host service for a plugin: errors become a status and the call's error message.
  static func serve(_ name: String, _ body: () throws -> Void) -> flens_status {
    do {
      try body()
      return flens_status(FLENS_OK)
    } catch {
      PluginCallContext.current.errorMessage = "host service \(name): \(error)"
      return flens_status(FLENS_ERROR_INVALID_ARGUMENT)
    }
  }

  static func transformKind(_ raw: UInt32) throws -> TransformKind {
    switch Int(raw) {
    case Int(FLENS_TRANSFORM_DFT.rawValue): return .dft
    case Int(FLENS_TRANSFORM_DCT.rawValue): return .dct
    default: throw FourierLensError.message("unknown transform \(raw) (1 = DFT, 2 = DCT)")
    }
  }

  /// Draws from `SeededGenerator` at `*state` and stores where it stopped, so `*state`
  /// continues the same stream.
  static func fill(_ state: UnsafeMutablePointer<UInt64>?, _ out: UnsafeMutablePointer<Float>?, _ count: UInt64, gaussian: Bool) {
    guard let state, let out else { return }
    var g = SeededGenerator(seed: state.pointee)
    for i in 0..<Int(count) { out[i] = gaussian ? g.nextGaussian() : g.nextUniform() }
    state.pointee = g.state
  }

  /// Log lines go to stderr labelled with the plugin; debug lines only with FLENS_PLUGIN_DEBUG set.
  static func log(_ level: Int32, _ message: UnsafePointer<CChar>?) {
    guard let message else { return }
    if level <= Int32(FLENS_LOG_DEBUG), ProcessInfo.processInfo.environment["FLENS_PLUGIN_DEBUG"] == nil { return }
    let label: String
    switch Int(level) {
    case ...Int(FLENS_LOG_DEBUG): label = "debug"
    case Int(FLENS_LOG_INFO): label = "info"
    case Int(FLENS_LOG_WARNING): label = "warning"
    default: label = "error"
    }
    let who = PluginCallContext.current.pluginName.map { "plugin \($0)" } ?? "plugin"
    FileHandle.standardError.write(Data("[\(who)] \(label): \(String(cString: message))\n".utf8))
  }
}
