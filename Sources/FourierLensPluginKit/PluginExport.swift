import Foundation

/// Pointer types of the entry function, so that exporting a library is one line:
///
///     @_cdecl("flens_plugin_entry")
///     public func flensPluginEntry(_ abi: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?) -> Int32 {
///       PluginExport.register(abi, host, registrar, [MyMask.self, MyAttack.self])
///     }
public typealias FlensHostServices = UnsafePointer<flens_host_services>
public typealias FlensRegistrar = UnsafePointer<flens_registrar>

/// Turns Swift plugin types into C descriptors and registers them with the host.
public enum PluginExport {
  private static let lock = NSLock()
  /// Descriptors built so far, by Swift type: built once, kept for the life of the
  /// process (the ABI requires static lifetime), reused when the host calls the entry again.
  /// Not a Mutex because its values are pointers, which Swift will not let leave a Mutex;
  /// safe because every access holds `lock` (see `descriptor(for:)`), and a descriptor is
  /// never written after it is built.
  nonisolated(unsafe) private static var built: [ObjectIdentifier: UnsafeMutablePointer<flens_plugin_descriptor>] = [:]

  /// The body of a library's `flens_plugin_entry`: checks the host's ABI version, keeps the
  /// host services, and registers every type in `plugins` (each conforming to
  /// `MaskPlugin`, `AttackPlugin` or `AugmentationPlugin`).
  public static func register(
    _ hostABIVersion: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?, _ plugins: [any FlensPlugin.Type]
  ) -> Int32 {
    guard let host, let registrar else { return flens_status(FLENS_ERROR_INVALID_ARGUMENT) }
    PluginHost.services = host
    guard hostABIVersion == FLENS_PLUGIN_ABI_VERSION else {
      PluginHost.setError("built for plugin ABI \(FLENS_PLUGIN_ABI_VERSION), the host speaks ABI \(hostABIVersion)")
      return flens_status(FLENS_ERROR_ABI)
    }
    var status = flens_status(FLENS_OK)
    for type in plugins {
      let descriptor: UnsafeMutablePointer<flens_plugin_descriptor>
      do {
        descriptor = try self.descriptor(for: type)
      } catch let error as PluginError {
        PluginHost.setError(error.description)
        status = error.status
        continue
      } catch {
        return flens_status(FLENS_ERROR_INTERNAL)
      }
      let added = registrar.pointee.add(registrar, descriptor)
      if added != flens_status(FLENS_OK) { status = added }
    }
    return status
  }

  /// The C descriptor of `type` (built on first use).
  static func descriptor(for type: any FlensPlugin.Type) throws -> UnsafeMutablePointer<flens_plugin_descriptor> {
    lock.lock()
    defer { lock.unlock() }
    if let d = built[ObjectIdentifier(type)] { return d }
    let kind: flens_plugin_kind
    var maskOps: UnsafeMutablePointer<flens_mask_ops>?
    var attackOps: UnsafeMutablePointer<flens_attack_ops>?
    var augmentationOps: UnsafeMutablePointer<flens_augmentation_ops>?
    if type is any MaskPlugin.Type {
      kind = FLENS_KIND_MASK
      maskOps = .allocate(capacity: 1)
      maskOps!.initialize(to: MaskTrampolines.ops)
    } else if type is any AttackPlugin.Type {
      kind = FLENS_KIND_ATTACK
      attackOps = .allocate(capacity: 1)
      attackOps!.initialize(to: AttackTrampolines.ops)
    } else if type is any AugmentationPlugin.Type {
      kind = FLENS_KIND_AUGMENTATION
      augmentationOps = .allocate(capacity: 1)
      augmentationOps!.initialize(to: AugmentationTrampolines.ops)
    } else {
      throw PluginError.internalError("\(type.name): a plugin type conforms to MaskPlugin, AttackPlugin or AugmentationPlugin")
    }
    let schema = type.parameters
    let params = UnsafeMutablePointer<flens_parameter>.allocate(capacity: max(1, schema.count))
    for (i, p) in schema.enumerated() {
      var flags: UInt32 = 0
      if p.minimum != nil { flags |= UInt32(FLENS_PARAM_HAS_MIN) }
      if p.maximum != nil { flags |= UInt32(FLENS_PARAM_HAS_MAX) }
      let type: flens_parameter_type
      var choices: UnsafePointer<CChar>?
      switch p.kind {
      case .float: type = FLENS_PARAM_FLOAT
      case .int: type = FLENS_PARAM_INT
      case .bool: type = FLENS_PARAM_BOOL
      case .string: type = FLENS_PARAM_STRING
      case let .choice(c):
        type = FLENS_PARAM_CHOICE
        choices = UnsafePointer(strdup(c.joined(separator: "|")))
      }
      (params + i).initialize(to: flens_parameter(
        struct_size: UInt32(MemoryLayout<flens_parameter>.size), type: type.rawValue,
        name: UnsafePointer(strdup(p.name)), help: UnsafePointer(strdup(p.help)),
        default_value: UnsafePointer(strdup(p.defaultValue)),
        minimum: p.minimum ?? 0, maximum: p.maximum ?? 0, flags: flags, choices: choices))
    }
    let box = Unmanaged.passRetained(PluginTypeBox(type: type, schema: schema)).toOpaque()
    let d = UnsafeMutablePointer<flens_plugin_descriptor>.allocate(capacity: 1)
    d.initialize(to: flens_plugin_descriptor(
      struct_size: UInt32(MemoryLayout<flens_plugin_descriptor>.size), abi_version: FLENS_PLUGIN_ABI_VERSION,
      kind: kind.rawValue, parameter_count: UInt32(schema.count),
      name: UnsafePointer(strdup(type.name)), summary: UnsafePointer(strdup(type.summary)),
      parameters: UnsafePointer(params), mask: UnsafePointer(maskOps), attack: UnsafePointer(attackOps),
      augmentation: UnsafePointer(augmentationOps), plugin_data: box))
    built[ObjectIdentifier(type)] = d
    return d
  }
}

/// What the descriptor's `plugin_data` points to: the Swift type behind it.
final class PluginTypeBox {
  let type: any FlensPlugin.Type
  let schema: [PluginParameter]
  init(type: any FlensPlugin.Type, schema: [PluginParameter]) {
    self.type = type
    self.schema = schema
  }

  static func from(_ d: UnsafePointer<flens_plugin_descriptor>?) throws -> PluginTypeBox {
    guard let raw = d?.pointee.plugin_data else { throw PluginError.internalError("descriptor without plugin data") }
    return Unmanaged<PluginTypeBox>.fromOpaque(raw).takeUnretainedValue()
  }
}
