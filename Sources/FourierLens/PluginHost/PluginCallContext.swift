import FourierLensPluginABI
import Foundation
import Synchronization

/// Per-thread state of the plugin call in progress: the message the plugin set with
/// `host->set_error`, and which plugin is running (to label its log lines). The ABI's
/// host functions take no context argument, so the host keys this by thread: a plugin
/// reports errors on the thread the host called it on.
public final class PluginCallContext {
  var errorMessage: String?
  var pluginName: String?

  private static let key = "FourierLens.PluginCallContext"

  static var current: PluginCallContext {
    let dict = Thread.current.threadDictionary
    if let c = dict[key] as? PluginCallContext { return c }
    let c = PluginCallContext()
    dict[key] = c
    return c
  }

  /// Runs one plugin operation: clears the error slot, calls `body`, and turns a failure
  /// status into a `FourierLensError.plugin` that names the library, the plugin, the
  /// operation and the plugin's own message.
  static func invoke(_ plugin: PluginInfo, _ operation: String, _ body: () -> flens_status) throws {
    let context = current
    let previousName = context.pluginName
    context.errorMessage = nil
    context.pluginName = plugin.name
    let watchdog = plugin.callTimeLimit.map { PluginWatchdog(seconds: $0, plugin: plugin, operation: operation) }
    let status = body()
    watchdog?.disarm()
    context.pluginName = previousName
    guard status == flens_status(FLENS_OK) else {
      let message = context.errorMessage ?? "no message"
      context.errorMessage = nil
      let reason = "'\(plugin.name)' \(operation) failed (\(statusName(status))): \(message)"
      if status == flens_status(FLENS_ERROR_UNSUPPORTED) {
        throw FourierLensError.pluginDeclined(library: plugin.library, reason: reason)
      }
      throw FourierLensError.plugin(library: plugin.library, reason: reason)
    }
  }

  /// Calls a plugin's `create` (`body`, given the C options and where to put the
  /// instance) and returns the instance it made: every kind of plugin is created this way.
  static func create(_ plugin: PluginInfo, options: PluginOptionValues,
                     _ body: (UnsafePointer<flens_options>, UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> flens_status)
    throws -> UnsafeMutableRawPointer
  {
    var created: UnsafeMutableRawPointer?
    try options.withCOptions { o in try invoke(plugin, "create") { body(o, &created) } }
    guard let created else {
      throw FourierLensError.plugin(library: plugin.library, reason: "'\(plugin.name)' create succeeded but returned no instance")
    }
    return created
  }

  /// The time limit of the environment variable FLENS_PLUGIN_TIMEOUT (seconds; nil when
  /// unset or not a positive number): a registry's default (`--plugin-timeout` overrides it).
  public static var environmentTimeLimit: Double? {
    ProcessInfo.processInfo.environment["FLENS_PLUGIN_TIMEOUT"].flatMap(Double.init).flatMap { $0 > 0 && $0.isFinite ? $0 : nil }
  }

  /// Readable name of a status code.
  static func statusName(_ status: flens_status) -> String {
    switch Int(status) {
    case Int(FLENS_ERROR_INVALID_ARGUMENT): return "invalid argument"
    case Int(FLENS_ERROR_UNSUPPORTED): return "unsupported"
    case Int(FLENS_ERROR_ABI): return "ABI mismatch"
    case Int(FLENS_ERROR_NUMERICAL): return "numerical error"
    case Int(FLENS_ERROR_CALLBACK): return "host callback failed"
    case Int(FLENS_ERROR_OUT_OF_MEMORY): return "out of memory"
    case Int(FLENS_ERROR_INTERNAL): return "internal error"
    default: return "status \(status)"
    }
  }
}

/// Ends the process when a plugin call overruns its plugin's `callTimeLimit`. A call
/// cannot be cancelled safely (it owns the host's buffers while it runs), so an overdue
/// call ends the process: the message names the library, the plugin and the operation,
/// and exit status is 1. Every output is written atomically, so files written before are
/// intact.
final class PluginWatchdog: Sendable {
  /// Held while the timer decides, so that a call returning at that moment either
  /// disarms first or is reported, never both.
  private let armed = Mutex(true)

  init(seconds: Double, plugin: PluginInfo, operation: String) {
    let message = "flens: error: plugin \(plugin.library): '\(plugin.name)' \(operation) did not return within "
      + "\(seconds) s (--plugin-timeout / FLENS_PLUGIN_TIMEOUT); stopped (files written before are intact)\n"
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { [self] in
      armed.withLock { armed in
        guard armed else { return }
        FileHandle.standardError.write(Data(message.utf8))
        _exit(1)
      }
    }
  }

  func disarm() {
    armed.withLock { $0 = false }
  }
}
