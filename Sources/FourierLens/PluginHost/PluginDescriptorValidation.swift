import FourierLensPluginABI

/// Checks a descriptor a library registers before the host keeps it: version and size,
/// name, kind and operations, and the parameter schema (every default must itself pass
/// the schema). Reads a member only when `struct_size` says it is there.
enum PluginDescriptorValidation {
  /// Most parameters a plugin may declare (a sanity bound against garbage counts).
  static let maximumParameters: UInt32 = 256

  static func validate(_ d: UnsafePointer<flens_plugin_descriptor>?, library: String) throws -> PluginInfo {
    guard let d else { throw reason("registered a null descriptor") }
    let size = d.pointee.struct_size
    let version = d.pointee.abi_version
    if version != FLENS_PLUGIN_ABI_VERSION {
      let age = version > FLENS_PLUGIN_ABI_VERSION ? "newer" : "older"
      throw reason("a descriptor was built for plugin ABI \(version) (\(age) than this flens, which speaks ABI "
        + "\(FLENS_PLUGIN_ABI_VERSION)); rebuild the plugin against this flens's fourierlens_plugin.h")
    }
    guard Int(size) >= MemoryLayout<flens_plugin_descriptor>.size else {
      throw reason("a descriptor's struct_size \(size) is smaller than the \(MemoryLayout<flens_plugin_descriptor>.size) bytes of ABI \(version)")
    }
    guard let namePointer = d.pointee.name else { throw reason("a descriptor has a null name") }
    let name = String(cString: namePointer)
    guard !name.isEmpty else { throw reason("a descriptor has an empty name") }
    guard PluginSpec.isValidName(name) else {
      throw reason("plugin name '\(name)' is not lower-case letters, digits, '-' and '_'")
    }
    func bad(_ what: String) -> Error { reason("plugin '\(name)': \(what)") }
    guard let summaryPointer = d.pointee.summary else { throw bad("null summary") }
    guard let kind = PluginKind(abi: d.pointee.kind) else { throw bad("unknown kind \(d.pointee.kind)") }

    switch kind {
    case .mask:
      guard let ops = d.pointee.mask else { throw bad("a mask plugin with a null mask operations table") }
      try checkSize(ops.pointee.struct_size, MemoryLayout<flens_mask_ops>.size, "mask operations table", bad)
      let o = ops.pointee
      let missing = [("create", o.create == nil), ("parameter_count", o.parameter_count == nil),
                     ("initial_parameters", o.initial_parameters == nil), ("forward", o.forward == nil),
                     ("vjp", o.vjp == nil), ("destroy", o.destroy == nil)].filter(\.1).map(\.0)
      if !missing.isEmpty { throw bad("null mask operation(s): \(missing.joined(separator: ", "))") }
    case .attack:
      guard let ops = d.pointee.attack else { throw bad("an attack plugin with a null attack operations table") }
      try checkSize(ops.pointee.struct_size, MemoryLayout<flens_attack_ops>.size, "attack operations table", bad)
      let o = ops.pointee
      let missing = [("create", o.create == nil), ("run", o.run == nil), ("destroy", o.destroy == nil)].filter(\.1).map(\.0)
      if !missing.isEmpty { throw bad("null attack operation(s): \(missing.joined(separator: ", "))") }
    case .augmentation:
      guard let ops = d.pointee.augmentation else { throw bad("an augmentation plugin with a null augmentation operations table") }
      try checkSize(ops.pointee.struct_size, MemoryLayout<flens_augmentation_ops>.size, "augmentation operations table", bad)
      let o = ops.pointee
      let missing = [("create", o.create == nil), ("apply", o.apply == nil), ("destroy", o.destroy == nil)].filter(\.1).map(\.0)
      if !missing.isEmpty { throw bad("null augmentation operation(s): \(missing.joined(separator: ", "))") }
    }

    let count = d.pointee.parameter_count
    guard count <= maximumParameters else { throw bad("\(count) parameters (at most \(maximumParameters))") }
    guard count == 0 || d.pointee.parameters != nil else { throw bad("\(count) parameters but a null schema") }
    var parameters: [PluginParameterInfo] = []
    for i in 0..<Int(count) {
      let p = d.pointee.parameters! + i
      let info = try parameter(p, index: i, bad)
      guard !parameters.contains(where: { $0.name == info.name }) else { throw bad("parameter '\(info.name)' declared twice") }
      parameters.append(info)
    }
    return PluginInfo(name: name, kind: kind, library: library, summary: String(cString: summaryPointer),
                      parameters: parameters, descriptor: d)
  }

  private static func parameter(_ p: UnsafePointer<flens_parameter>, index: Int, _ bad: (String) -> Error) throws -> PluginParameterInfo {
    try checkSize(p.pointee.struct_size, MemoryLayout<flens_parameter>.size, "parameter \(index)", bad)
    guard let namePointer = p.pointee.name, !String(cString: namePointer).isEmpty else { throw bad("parameter \(index) has no name") }
    let name = String(cString: namePointer)
    guard name.unicodeScalars.allSatisfy({ ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "_" }),
          let first = name.unicodeScalars.first, first >= "a" && first <= "z" else {
      throw bad("parameter name '\(name)' is not [a-z][a-z0-9_]*")
    }
    let type: PluginParameterInfo.ValueType
    switch p.pointee.type {
    case FLENS_PARAM_FLOAT.rawValue: type = .float
    case FLENS_PARAM_INT.rawValue: type = .int
    case FLENS_PARAM_BOOL.rawValue: type = .bool
    case FLENS_PARAM_STRING.rawValue: type = .string
    case FLENS_PARAM_CHOICE.rawValue: type = .choice
    default: throw bad("parameter '\(name)' has unknown type \(p.pointee.type)")
    }
    let flags = p.pointee.flags
    let numeric = type == .float || type == .int
    let minimum = numeric && flags & UInt32(FLENS_PARAM_HAS_MIN) != 0 ? p.pointee.minimum : nil
    let maximum = numeric && flags & UInt32(FLENS_PARAM_HAS_MAX) != 0 ? p.pointee.maximum : nil
    if let lo = minimum, !lo.isFinite { throw bad("parameter '\(name)' has a non-finite minimum") }
    if let hi = maximum, !hi.isFinite { throw bad("parameter '\(name)' has a non-finite maximum") }
    if let lo = minimum, let hi = maximum, lo > hi { throw bad("parameter '\(name)' has minimum \(lo) above maximum \(hi)") }
    var choices: [String]?
    if type == .choice {
      guard let c = p.pointee.choices else { throw bad("choice parameter '\(name)' has no choices") }
      let list = String(cString: c).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard !list.isEmpty, !list.contains(where: \.isEmpty) else { throw bad("choice parameter '\(name)' has an empty choice") }
      choices = list
    }
    guard let defaultPointer = p.pointee.default_value else { throw bad("parameter '\(name)' has no default") }
    let info = PluginParameterInfo(name: name, type: type, defaultValue: String(cString: defaultPointer),
                                   minimum: minimum, maximum: maximum, choices: choices,
                                   help: p.pointee.help.map { String(cString: $0) } ?? "")
    do {
      _ = try info.parse(info.defaultValue, optionName: name)
    } catch {
      throw bad("the default of parameter '\(name)' does not pass its own schema: \(error)")
    }
    return info
  }

  private static func checkSize(_ size: UInt32, _ needed: Int, _ what: String, _ bad: (String) -> Error) throws {
    guard Int(size) >= needed else { throw bad("\(what) struct_size \(size) is smaller than the \(needed) bytes of ABI \(FLENS_PLUGIN_ABI_VERSION)") }
  }

  private static func reason(_ s: String) -> Error { ValidationFailure(message: s) }

  struct ValidationFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
  }
}
