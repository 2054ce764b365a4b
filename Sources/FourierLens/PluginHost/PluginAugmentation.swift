import FourierLensPluginABI

/// An augmentation plugin instance seen as the core's `Augmentation`. Works on a copy of
/// the batch and replaces it only when the plugin succeeded and its output is finite and
/// within [0, 1], so a failing plugin never leaves a half-changed batch behind.
public final class PluginAugmentation: Augmentation {
  public let plugin: PluginInfo
  public let spec: PluginSpec
  private let ops: flens_augmentation_ops
  private let instance: UnsafeMutableRawPointer

  public var name: String { plugin.name }
  public var summary: String { spec.description }

  init(plugin: PluginInfo, spec: PluginSpec, options: PluginOptionValues) throws {
    self.plugin = plugin
    self.spec = spec
    let ops = plugin.descriptor.pointee.augmentation!.pointee
    self.ops = ops
    instance = try PluginCallContext.create(plugin, options: options) { ops.create(plugin.descriptor, $0, $1) }
  }

  deinit { ops.destroy(instance) }

  public func apply(_ images: inout Tensor, seed: UInt64) throws {
    guard images.rank == 4 else { throw FourierLensError.shapeMismatch("augmentation '\(name)' needs NCHW images, got \(images.shape)") }
    guard images.count > 0 else { return }
    let s = images.shape
    var data = images.data
    let ops = ops, instance = instance
    try data.withUnsafeMutableBufferPointer { p in
      try PluginCallContext.invoke(plugin, "apply") {
        ops.apply(instance, p.baseAddress, UInt64(s[0]), UInt32(s[1]), UInt32(s[2]), UInt32(s[3]), seed)
      }
    }
    try PluginBufferChecks.requireUnitRange(&data, plugin, "augmented batch")
    images.data = data
  }
}
