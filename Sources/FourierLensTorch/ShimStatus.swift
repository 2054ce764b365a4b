import CTorchShim
import FourierLens

/// Turns the shim's status codes and thread-local messages into `FourierLensError`s.
///
/// The shim reports what went wrong; only the Swift side knows which user-visible file
/// or model was involved, so every check names it.
enum ShimStatus {
  /// The shim's message for the most recent failure on this thread.
  static var lastMessage: String {
    guard let cString = flt_last_error() else { return "unknown error" }
    let message = String(cString: cString)
    return message.isEmpty ? "unknown error" : message
  }

  /// Throws unless `status` is FLT_OK. `file` is the file the call was reading or writing;
  /// `model` names the model (its directory) for shape errors and computation failures.
  static func check(_ status: Int32, file: String? = nil, model: String? = nil) throws {
    guard status != FLT_OK else { return }
    let message = lastMessage
    switch status {
    case FLT_ERR_IO:
      let path = file ?? model ?? "model file"
      // The shim prefixes file messages with the path; keep it once.
      let reason = message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
      throw FourierLensError.badFile(path: path, reason: reason)
    case FLT_ERR_ARGUMENT:
      if message.contains("does not match the model's input") || message.contains("logits of shape") {
        throw FourierLensError.shapeMismatch(model.map { "model \($0): \(message)" } ?? message)
      }
      if let file { throw FourierLensError.badFile(path: file, reason: message.hasPrefix(file + ": ") ? String(message.dropFirst(file.count + 2)) : message) }
      throw FourierLensError.backend(model.map { "model \($0): \(message)" } ?? message)
    case FLT_ERR_DEVICE:
      throw FourierLensError.badOption(name: "--device", reason: message)
    default:
      throw FourierLensError.backend(model.map { "model \($0): \(message)" } ?? message)
    }
  }
}
