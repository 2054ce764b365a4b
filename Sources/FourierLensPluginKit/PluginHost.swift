/// The host's services, as the kit's Swift API. The host hands its table to the library's
/// entry function; every Swift plugin in the library reaches it here. Plugins use the
/// host's transforms, bands and RNG instead of their own so that a mask or attack sees the
/// frequencies exactly as `flens learn-mask` and `flens bands` do, and draws the same
/// random numbers as the core for the same seed.
public enum PluginHost {
  /// Set once by `PluginExport.register` (the table lives as long as the process).
  ///
  /// Not locked, and safe: it is written only by `register`, which a host calls when it
  /// loads the library, before it can create or call any of the library's plugins (flens
  /// loads each library once, under its loader's lock); every later access is a read. A
  /// host that calls the entry again passes the same table (flens's is a process-wide
  /// constant), so a reader sees the same pointer either way.
  nonisolated(unsafe) static var services: UnsafePointer<flens_host_services>?

  /// True when the library runs under a host (inside `flens` or its tests).
  public static var isAvailable: Bool { services != nil }

  static func table() throws -> flens_host_services {
    guard let s = services else {
      throw PluginError.unsupported("this needs the FourierLens host's services; the plugin is not running under flens")
    }
    return s.pointee
  }

  public enum LogLevel: Int32, Sendable {
    case debug = 0, info = 1, warning = 2, error = 3
  }

  /// Writes a line to the host's log (no-op outside a host).
  public static func log(_ level: LogLevel, _ message: String) {
    guard let s = services else { return }
    message.withCString { s.pointee.log(level.rawValue, $0) }
  }

  static func setError(_ message: String) {
    guard let s = services else { return }
    message.withCString { s.pointee.set_error($0) }
  }

  /// An independent seed for `stream` of `seed` (the core's `SeededGenerator.derive`).
  public static func derive(_ seed: UInt64, _ stream: UInt64) throws -> UInt64 {
    try table().rng_derive(seed, stream)
  }

  private static func check(_ status: flens_status) throws {
    if status != flens_status(FLENS_OK) { throw PluginError.hostFailure(status) }
  }

  /// Forward transform of `planes` real H×W planes; `imag` is ignored (left empty) for the DCT.
  public static func transformForward(
    _ transform: MaskTransform, planes: Int, height: Int, width: Int, input: UnsafeBufferPointer<Float>,
    real: UnsafeMutableBufferPointer<Float>, imag: UnsafeMutableBufferPointer<Float>?
  ) throws {
    let n = planes * height * width
    guard input.count >= n, real.count >= n, transform == .dct || (imag?.count ?? 0) >= n else {
      throw PluginError.internalError("transform buffers smaller than \(planes)x\(height)x\(width)")
    }
    try check(table().transform_forward(transform.rawValue, UInt64(planes), UInt32(height), UInt32(width),
                                        input.baseAddress, real.baseAddress, transform == .dft ? imag?.baseAddress : nil))
  }

  /// Inverse transform to real planes.
  public static func transformInverse(
    _ transform: MaskTransform, planes: Int, height: Int, width: Int, real: UnsafeBufferPointer<Float>,
    imag: UnsafeBufferPointer<Float>?, output: UnsafeMutableBufferPointer<Float>
  ) throws {
    let n = planes * height * width
    guard real.count >= n, output.count >= n, transform == .dct || (imag?.count ?? 0) >= n else {
      throw PluginError.internalError("transform buffers smaller than \(planes)x\(height)x\(width)")
    }
    try check(table().transform_inverse(transform.rawValue, UInt64(planes), UInt32(height), UInt32(width),
                                        real.baseAddress, transform == .dft ? imag?.baseAddress : nil, output.baseAddress))
  }

  /// x ← T⁻¹(M ⊙ T(x)) for every channel of the batch, M of `maskChannels` planes (1 or C).
  public static func applyMask(
    _ transform: MaskTransform, images: UnsafeMutableBufferPointer<Float>, shape: BatchShape,
    mask: UnsafeBufferPointer<Float>, maskChannels: Int
  ) throws {
    guard images.count >= shape.elementCount, mask.count >= maskChannels * shape.planeSize else {
      throw PluginError.internalError("apply_mask buffers smaller than the shape")
    }
    try check(table().apply_mask(transform.rawValue, images.baseAddress, UInt64(shape.count), UInt32(shape.channels),
                                 UInt32(shape.height), UInt32(shape.width), mask.baseAddress, UInt32(maskChannels)))
  }

  /// Signed frequencies (cycles per pixel) of every coefficient in the unshifted layout.
  public static func frequencyGrid(_ transform: MaskTransform, height: Int, width: Int) throws -> (fy: [Float], fx: [Float]) {
    var fy = [Float](repeating: 0, count: height * width)
    var fx = fy
    let t = try table()
    let status = fy.withUnsafeMutableBufferPointer { y in
      fx.withUnsafeMutableBufferPointer { x in
        t.frequency_grid(transform.rawValue, UInt32(height), UInt32(width), y.baseAddress, x.baseAddress)
      }
    }
    try check(status)
    return (fy, fx)
  }

  /// Band index r·angular + a of every coefficient, as `flens bands` groups them.
  public static func bandMap(_ transform: MaskTransform, height: Int, width: Int, radial: Int, angular: Int) throws -> [Int32] {
    var out = [Int32](repeating: 0, count: height * width)
    let t = try table()
    let status = out.withUnsafeMutableBufferPointer {
      t.band_map(transform.rawValue, UInt32(height), UInt32(width), UInt32(radial), UInt32(angular), $0.baseAddress)
    }
    try check(status)
    return out
  }
}

/// The host's seeded generator (SplitMix64, the same stream as the core's
/// `SeededGenerator(seed:)`): plugins draw their randomness here so that a seed means the
/// same thing everywhere.
public struct HostRandom {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  /// Fills `out` with uniforms in [0, 1).
  public mutating func fillUniform(_ out: UnsafeMutableBufferPointer<Float>) throws {
    let t = try PluginHost.table()
    t.rng_uniform(&state, out.baseAddress, UInt64(out.count))
  }

  /// Fills `out` with standard normals.
  public mutating func fillGaussian(_ out: UnsafeMutableBufferPointer<Float>) throws {
    let t = try PluginHost.table()
    t.rng_gaussian(&state, out.baseAddress, UInt64(out.count))
  }

  public mutating func uniform(count: Int) throws -> [Float] {
    var a = [Float](repeating: 0, count: count)
    try a.withUnsafeMutableBufferPointer { try fillUniform($0) }
    return a
  }

  public mutating func gaussian(count: Int) throws -> [Float] {
    var a = [Float](repeating: 0, count: count)
    try a.withUnsafeMutableBufferPointer { try fillGaussian($0) }
    return a
  }

  /// One uniform in [lo, hi).
  public mutating func uniform(_ lo: Float, _ hi: Float) throws -> Float {
    var u: Float = 0
    try withUnsafeMutablePointer(to: &u) { try fillUniform(UnsafeMutableBufferPointer(start: $0, count: 1)) }
    return lo + (hi - lo) * u
  }

  /// One integer in 0..<n.
  public mutating func index(below n: Int) throws -> Int {
    min(n - 1, Int(try uniform(0, 1) * Float(n)))
  }
}
