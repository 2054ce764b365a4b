import CTorchShim
import FourierLens

/// Turns the shim's status codes and thread-local messages into `FourierLensError`s: the
/// one place where a failure of the C side becomes a Swift error.
///
/// The kind of error follows from the code alone (never from the message's text). The
/// shim's messages name no file; only the Swift side knows which file, model or setting
/// was involved, so every check names it here, once.
enum ShimStatus {
  /// The shim's message for the most recent failure on this thread.
  static var lastMessage: String {
    guard let cString = flt_last_error() else { return "unknown error" }
    let message = String(cString: cString)
    return message.isEmpty ? "unknown error" : message
  }

  /// Throws unless `status` is FLT_OK.
  /// - Parameters:
  ///   - file: the file the call was reading or writing: I/O failures and bad arguments name it.
  ///   - model: names the model (its directory) for shape errors and computation failures.
  ///   - option: the setting whose value was the call's argument (`--arch`, `--optimizer`):
  ///     a bad argument without a file is that setting's error.
  static func check(_ status: Int32, file: String? = nil, model: String? = nil, option: String? = nil) throws {
    guard status != FLT_OK else { return }
    let message = lastMessage
    let inModel = model.map { "model \($0): \(message)" } ?? message
    switch status {
    case FLT_ERR_IO:
      throw FourierLensError.badFile(path: file ?? model ?? "model file", reason: message)
    case FLT_ERR_SHAPE:
      throw FourierLensError.shapeMismatch(inModel)
    case FLT_ERR_ARGUMENT:
      if let file { throw FourierLensError.badFile(path: file, reason: message) }
      if let option { throw FourierLensError.badOption(name: option, reason: message) }
      throw FourierLensError.backend(inModel)
    case FLT_ERR_DEVICE:
      throw FourierLensError.badOption(name: "--device", reason: message)
    default:
      throw FourierLensError.backend(inModel)
    }
  }
}
