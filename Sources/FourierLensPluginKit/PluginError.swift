@_exported import FourierLensPluginABI

/// An error a plugin reports to the host: a status code and a message the host shows
/// (naming the plugin and its library). Throw it from any plugin method; the kit turns it
/// into the C status and `host->set_error` message, so a plugin never crashes the host for
/// a condition it can detect.
public struct PluginError: Error, CustomStringConvertible {
  public var status: flens_status
  /// nil when the host already set the message (a failed host callback or service).
  public var message: String?

  public init(status: flens_status, message: String?) {
    self.status = status
    self.message = message
  }

  /// Options, shapes or sizes the plugin cannot accept.
  public static func invalidArgument(_ message: String) -> PluginError {
    PluginError(status: flens_status(FLENS_ERROR_INVALID_ARGUMENT), message: message)
  }
  /// A valid request the plugin does not implement (for example the DCT).
  public static func unsupported(_ message: String) -> PluginError {
    PluginError(status: flens_status(FLENS_ERROR_UNSUPPORTED), message: message)
  }
  /// NaN, infinity or another numerical failure.
  public static func numerical(_ message: String) -> PluginError {
    PluginError(status: flens_status(FLENS_ERROR_NUMERICAL), message: message)
  }
  /// Anything else.
  public static func internalError(_ message: String) -> PluginError {
    PluginError(status: flens_status(FLENS_ERROR_INTERNAL), message: message)
  }
  /// A host callback or service failed with `status`; the host already holds its message.
  public static func hostFailure(_ status: flens_status) -> PluginError {
    PluginError(status: status == flens_status(FLENS_OK) ? flens_status(FLENS_ERROR_CALLBACK) : status, message: nil)
  }

  public var description: String { message ?? "host callback failed (status \(status))" }
}

/// Runs `body` and converts anything it throws into a status code plus host message.
/// Every C entry point of the kit goes through here.
@inline(__always)
func reportingErrors(_ body: () throws -> Void) -> flens_status {
  do {
    try body()
    return flens_status(FLENS_OK)
  } catch let error as PluginError {
    if let message = error.message { PluginHost.setError(message) }
    return error.status
  } catch {
    PluginHost.setError(String(describing: error))
    return flens_status(FLENS_ERROR_INTERNAL)
  }
}
