/// The C entry points shared by every Swift plugin of a kind. Each unwraps the instance
/// box, wraps the host's buffers (sizes checked against the instance), calls the Swift
/// plugin and turns thrown errors into status + message.

final class MaskInstance {
  let plugin: any MaskPlugin
  let request: MaskRequest
  let parameterCount: Int
  init(plugin: any MaskPlugin, request: MaskRequest) {
    self.plugin = plugin
    self.request = request
    self.parameterCount = plugin.parameterCount
  }
  static func from(_ p: UnsafeMutableRawPointer?) throws -> MaskInstance {
    guard let p else { throw PluginError.invalidArgument("null mask instance") }
    return Unmanaged<MaskInstance>.fromOpaque(p).takeUnretainedValue()
  }
  func checkSizes(theta: UInt64, mask: UInt64? = nil) throws {
    guard theta == UInt64(parameterCount) else {
      throw PluginError.invalidArgument("θ has \(theta) values, this mask has \(parameterCount) parameters")
    }
    if let mask, mask != UInt64(request.maskCount) {
      throw PluginError.invalidArgument("mask buffer has \(mask) values, expected \(request.maskCount)")
    }
  }
}

enum MaskTrampolines {
  static let ops = flens_mask_ops(
    struct_size: UInt32(MemoryLayout<flens_mask_ops>.size),
    create: { descriptor, options, request, out in
      reportingErrors {
        let box = try PluginTypeBox.from(descriptor)
        guard let type = box.type as? any MaskPlugin.Type, let request, let out else {
          throw PluginError.internalError("mask create: bad arguments")
        }
        let req = try MaskRequest(request.pointee)
        let plugin = try type.init(options: try PluginOptions(schema: box.schema, options: options), request: req)
        guard plugin.parameterCount > 0 else { throw PluginError.invalidArgument("a mask needs at least one parameter") }
        out.pointee = Unmanaged.passRetained(MaskInstance(plugin: plugin, request: req)).toOpaque()
      }
    },
    parameter_count: { instance in
      guard let i = try? MaskInstance.from(instance) else { return 0 }
      return UInt64(i.parameterCount)
    },
    initial_parameters: { instance, theta, count in
      reportingErrors {
        let i = try MaskInstance.from(instance)
        try i.checkSizes(theta: count)
        let values = try i.plugin.initialParameters()
        guard values.count == i.parameterCount else {
          throw PluginError.internalError("initialParameters returned \(values.count) values for \(i.parameterCount) parameters")
        }
        guard let theta else { throw PluginError.invalidArgument("initial_parameters: null output") }
        values.withUnsafeBufferPointer { theta.update(from: $0.baseAddress!, count: values.count) }
      }
    },
    forward: { instance, theta, thetaCount, mask, maskCount in
      reportingErrors {
        let i = try MaskInstance.from(instance)
        try i.checkSizes(theta: thetaCount, mask: maskCount)
        guard theta != nil, mask != nil else { throw PluginError.invalidArgument("forward: null buffer") }
        try i.plugin.forward(UnsafeBufferPointer(start: theta, count: Int(thetaCount)),
                             into: UnsafeMutableBufferPointer(start: mask, count: Int(maskCount)))
      }
    },
    vjp: { instance, theta, thetaCount, maskGrad, maskCount, thetaGrad in
      reportingErrors {
        let i = try MaskInstance.from(instance)
        try i.checkSizes(theta: thetaCount, mask: maskCount)
        guard theta != nil, maskGrad != nil, thetaGrad != nil else { throw PluginError.invalidArgument("vjp: null buffer") }
        try i.plugin.vjp(UnsafeBufferPointer(start: theta, count: Int(thetaCount)),
                         maskGradient: UnsafeBufferPointer(start: maskGrad, count: Int(maskCount)),
                         into: UnsafeMutableBufferPointer(start: thetaGrad, count: Int(thetaCount)))
      }
    },
    project: { instance, theta, count in
      reportingErrors {
        let i = try MaskInstance.from(instance)
        try i.checkSizes(theta: count)
        guard theta != nil else { throw PluginError.invalidArgument("project: null buffer") }
        try i.plugin.project(UnsafeMutableBufferPointer(start: theta, count: Int(count)))
      }
    },
    destroy: { instance in
      if let instance { Unmanaged<MaskInstance>.fromOpaque(instance).release() }
    }
  )
}

final class AttackInstance {
  let plugin: any AttackPlugin
  init(plugin: any AttackPlugin) { self.plugin = plugin }
}

enum AttackTrampolines {
  static let ops = flens_attack_ops(
    struct_size: UInt32(MemoryLayout<flens_attack_ops>.size),
    create: { descriptor, options, out in
      reportingErrors {
        let box = try PluginTypeBox.from(descriptor)
        guard let type = box.type as? any AttackPlugin.Type, let out else { throw PluginError.internalError("attack create: bad arguments") }
        let plugin = try type.init(options: try PluginOptions(schema: box.schema, options: options))
        out.pointee = Unmanaged.passRetained(AttackInstance(plugin: plugin)).toOpaque()
      }
    },
    run: { instance, model, images, n, c, h, w, labels, seed, out in
      reportingErrors {
        guard let instance, let model, let images, let labels, let out else { throw PluginError.invalidArgument("attack run: null argument") }
        let plugin = Unmanaged<AttackInstance>.fromOpaque(instance).takeUnretainedValue().plugin
        let shape = BatchShape(count: Int(n), channels: Int(c), height: Int(h), width: Int(w))
        try plugin.run(model: PluginModel(model), images: UnsafeBufferPointer(start: images, count: shape.elementCount),
                       shape: shape, labels: UnsafeBufferPointer(start: labels, count: shape.count), seed: seed,
                       output: UnsafeMutableBufferPointer(start: out, count: shape.elementCount))
      }
    },
    destroy: { instance in
      if let instance { Unmanaged<AttackInstance>.fromOpaque(instance).release() }
    }
  )
}

final class AugmentationInstance {
  let plugin: any AugmentationPlugin
  init(plugin: any AugmentationPlugin) { self.plugin = plugin }
}

enum AugmentationTrampolines {
  static let ops = flens_augmentation_ops(
    struct_size: UInt32(MemoryLayout<flens_augmentation_ops>.size),
    create: { descriptor, options, out in
      reportingErrors {
        let box = try PluginTypeBox.from(descriptor)
        guard let type = box.type as? any AugmentationPlugin.Type, let out else {
          throw PluginError.internalError("augmentation create: bad arguments")
        }
        let plugin = try type.init(options: try PluginOptions(schema: box.schema, options: options))
        out.pointee = Unmanaged.passRetained(AugmentationInstance(plugin: plugin)).toOpaque()
      }
    },
    apply: { instance, images, n, c, h, w, seed in
      reportingErrors {
        guard let instance, let images else { throw PluginError.invalidArgument("augmentation apply: null argument") }
        let plugin = Unmanaged<AugmentationInstance>.fromOpaque(instance).takeUnretainedValue().plugin
        let shape = BatchShape(count: Int(n), channels: Int(c), height: Int(h), width: Int(w))
        try plugin.apply(UnsafeMutableBufferPointer(start: images, count: shape.elementCount), shape: shape, seed: seed)
      }
    },
    destroy: { instance in
      if let instance { Unmanaged<AugmentationInstance>.fromOpaque(instance).release() }
    }
  )
}
