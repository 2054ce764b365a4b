import FourierLensPluginABI

/// A mask plugin instance seen as the core's `MaskParameterization`. Every call checks
/// sizes on the host side and validates what the plugin wrote (finite values) before
/// returning it; a failing plugin becomes a `FourierLensError.plugin` naming the library.
public final class PluginMaskParameterization: MaskParameterization {
  public let plugin: PluginInfo
  public let spec: PluginSpec
  public let transform: TransformKind
  public let layout: MaskLayout
  /// [C, H, W] of the images the mask is for.
  public let imageShape: [Int]
  public let maskShape: [Int]
  public let parameterCount: Int
  /// Sanity bound on θ: more parameters than this is a broken plugin, not a mask.
  static let maximumParameters = 1 << 28

  private let ops: flens_mask_ops
  private let instance: UnsafeMutableRawPointer
  private let maskCount: Int

  public var name: String { plugin.name }

  init(plugin: PluginInfo, spec: PluginSpec, options: PluginOptionValues, channels: Int, height: Int, width: Int,
       layout: MaskLayout, transform: TransformKind) throws {
    guard channels > 0, height > 0, width > 0 else {
      throw FourierLensError.shapeMismatch("mask '\(spec)' needs an image shape with C, H, W > 0, got \(channels)×\(height)×\(width)")
    }
    self.plugin = plugin
    self.spec = spec
    self.transform = transform
    self.layout = layout
    self.imageShape = [channels, height, width]
    self.maskShape = layout == .shared ? [height, width] : [channels, height, width]
    self.maskCount = maskShape.reduce(1, *)
    self.ops = plugin.descriptor.pointee.mask!.pointee
    var request = flens_mask_request(
      struct_size: UInt32(MemoryLayout<flens_mask_request>.size),
      transform: transform == .dft ? FLENS_TRANSFORM_DFT.rawValue : FLENS_TRANSFORM_DCT.rawValue,
      layout: UInt32(layout == .shared ? FLENS_MASK_SHARED : FLENS_MASK_PER_CHANNEL),
      channels: UInt32(channels), height: UInt32(height), width: UInt32(width), mask_count: UInt64(maskCount))
    let ops = self.ops
    let created = try PluginCallContext.create(plugin, options: options) { o, instance in
      withUnsafePointer(to: &request) { ops.create(plugin.descriptor, o, $0, instance) }
    }
    let count = ops.parameter_count(created)
    guard count >= 1, count <= UInt64(Self.maximumParameters) else {
      ops.destroy(created)
      throw FourierLensError.plugin(library: plugin.library,
                                    reason: "'\(plugin.name)' reports \(count) parameters (needs 1…\(Self.maximumParameters))")
    }
    self.instance = created
    self.parameterCount = Int(count)
  }

  deinit { ops.destroy(instance) }

  private func checkTheta(_ theta: [Float]) throws {
    guard theta.count == parameterCount else {
      throw FourierLensError.shapeMismatch("mask '\(name)' has \(parameterCount) parameters, got \(theta.count)")
    }
  }

  public func initialParameters() throws -> [Float] {
    var theta = [Float](repeating: .nan, count: parameterCount)
    let ops = ops, instance = instance
    try theta.withUnsafeMutableBufferPointer { t in
      try PluginCallContext.invoke(plugin, "initial_parameters") { ops.initial_parameters(instance, t.baseAddress, UInt64(t.count)) }
    }
    try PluginBufferChecks.requireFinite(theta, plugin, "initial parameters")
    return theta
  }

  public func mask(_ theta: [Float]) throws -> [Float] {
    try checkTheta(theta)
    var mask = [Float](repeating: .nan, count: maskCount)
    let ops = ops, instance = instance
    try theta.withUnsafeBufferPointer { t in
      try mask.withUnsafeMutableBufferPointer { m in
        try PluginCallContext.invoke(plugin, "forward") {
          ops.forward(instance, t.baseAddress, UInt64(t.count), m.baseAddress, UInt64(m.count))
        }
      }
    }
    try PluginBufferChecks.requireFinite(mask, plugin, "forward output (mask)")
    return mask
  }

  public func vectorJacobianProduct(_ theta: [Float], maskGradient: [Float]) throws -> [Float] {
    try checkTheta(theta)
    guard maskGradient.count == maskCount else {
      throw FourierLensError.shapeMismatch("mask '\(name)' has \(maskCount) values, the gradient \(maskGradient.count)")
    }
    var grad = [Float](repeating: .nan, count: parameterCount)
    let ops = ops, instance = instance
    try theta.withUnsafeBufferPointer { t in
      try maskGradient.withUnsafeBufferPointer { g in
        try grad.withUnsafeMutableBufferPointer { out in
          try PluginCallContext.invoke(plugin, "vjp") {
            ops.vjp(instance, t.baseAddress, UInt64(t.count), g.baseAddress, UInt64(g.count), out.baseAddress)
          }
        }
      }
    }
    try PluginBufferChecks.requireFinite(grad, plugin, "vjp output (parameter gradient)")
    return grad
  }

  public func project(_ theta: inout [Float]) throws {
    try checkTheta(theta)
    guard let project = ops.project else { return }
    // On a copy, so that a plugin failing half-way leaves the caller's θ untouched.
    var projected = theta
    let instance = instance
    try projected.withUnsafeMutableBufferPointer { t in
      try PluginCallContext.invoke(plugin, "project") { project(instance, t.baseAddress, UInt64(t.count)) }
    }
    try PluginBufferChecks.requireFinite(projected, plugin, "projected parameters")
    theta = projected
  }
}
