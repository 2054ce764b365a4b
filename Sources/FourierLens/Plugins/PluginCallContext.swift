import FourierLensPluginABI
import Foundation

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
    let status = body()
    context.pluginName = previousName
    guard status == flens_status(FLENS_OK) else {
      let message = context.errorMessage ?? "no message"
      context.errorMessage = nil
      throw FourierLensError.plugin(
        library: plugin.library,
        reason: "'\(plugin.name)' \(operation) failed (\(statusName(status))): \(message)")
    }
  }

  /// True for the error a plugin's FLENS_ERROR_UNSUPPORTED status becomes: a valid
  /// request the plugin declines (for example a DFT-only mask asked for the DCT).
  public static func isUnsupported(_ error: FourierLensError) -> Bool {
    if case let .plugin(_, reason) = error { return reason.contains("failed (\(statusName(flens_status(FLENS_ERROR_UNSUPPORTED))))") }
    return false
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
