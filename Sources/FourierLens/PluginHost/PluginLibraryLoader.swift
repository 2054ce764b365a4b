import FourierLensPluginABI
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Loads one plugin library: dlopen, look up `flens_plugin_entry`, call it with the host
/// services and a registrar that validates each descriptor. Results are cached per real
/// path for the life of the process (libraries are never unloaded, and the same library
/// found twice on the search path is loaded once).
enum PluginLibraryLoader {
  /// What loading one library produced: its valid plugins and the reasons anything failed.
  struct Result: Sendable {
    var plugins: [PluginInfo] = []
    var errors: [String] = []
  }

  /// Held while a library loads, so that two threads never load the same one twice.
  private static let cache = Mutex<[String: Result]>([:])

  /// Loads `path` (a real path) once per process.
  static func load(_ path: String) -> Result {
    cache.withLock { cache in
      if let r = cache[path] { return r }
      let r = loadUncached(path)
      cache[path] = r
      return r
    }
  }

  /// Collects descriptors during one entry call.
  private final class Registration {
    let library: String
    var result = Result()
    init(library: String) { self.library = library }
  }

  private static func loadUncached(_ path: String) -> Result {
    _ = dlerror()
    guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
      let why = dlerror().map { String(cString: $0) } ?? "unknown reason"
      return Result(errors: ["cannot be loaded as a shared library: \(why)"])
    }
    guard let symbol = dlsym(handle, FLENS_PLUGIN_ENTRY_SYMBOL) else {
      // Keep the handle open: unloading libraries that may have registered atexit
      // handlers or thread-local destructors is not worth the risk.
      return Result(errors: ["no \(FLENS_PLUGIN_ENTRY_SYMBOL) symbol: not a FourierLens plugin library "
        + "(a plugin exports it; see Sources/FourierLensPluginABI/include/fourierlens_plugin.h)"])
    }
    let entry = unsafeBitCast(symbol, to: flens_plugin_entry_fn.self)
    let registration = Registration(library: path)
    let box = Unmanaged.passRetained(registration)
    defer { box.release() }
    var registrar = flens_registrar(
      struct_size: UInt32(MemoryLayout<flens_registrar>.size),
      host_data: box.toOpaque(),
      add: { registrar, descriptor in
        guard let registrar, let data = registrar.pointee.host_data else { return flens_status(FLENS_ERROR_INVALID_ARGUMENT) }
        let registration = Unmanaged<Registration>.fromOpaque(data).takeUnretainedValue()
        do {
          let info = try PluginDescriptorValidation.validate(descriptor, library: registration.library)
          if registration.result.plugins.contains(where: { $0.name == info.name && $0.kind == info.kind }) {
            throw PluginDescriptorValidation.ValidationFailure(message: "\(info.kind.rawValue) plugin '\(info.name)' is registered twice")
          }
          registration.result.plugins.append(info)
          return flens_status(FLENS_OK)
        } catch {
          registration.result.errors.append(String(describing: error))
          PluginCallContext.current.errorMessage = String(describing: error)
          return flens_status(FLENS_ERROR_INVALID_ARGUMENT)
        }
      })
    let context = PluginCallContext.current
    context.errorMessage = nil
    let status = withUnsafePointer(to: &registrar) { entry(FLENS_PLUGIN_ABI_VERSION, PluginHostServices.table, $0) }
    var result = registration.result
    if status != flens_status(FLENS_OK) {
      let message = context.errorMessage ?? "no message"
      // A rejected descriptor already reported itself; report the entry's failure only
      // when it says something new.
      if !result.errors.contains(message) {
        result.errors.append("\(FLENS_PLUGIN_ENTRY_SYMBOL) failed (\(PluginCallContext.statusName(status))): \(message)")
      }
    } else if result.plugins.isEmpty && result.errors.isEmpty {
      result.errors.append("\(FLENS_PLUGIN_ENTRY_SYMBOL) registered no plugins")
    }
    context.errorMessage = nil
    return result
  }
}
