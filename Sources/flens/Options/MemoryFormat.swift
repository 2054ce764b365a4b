import FourierLens
import FourierLensTorch

/// `--memory-format auto|nchw|nhwc`, shared by the commands that run a model: the order of
/// activations inside libtorch. `auto` keeps what the architecture prefers.
enum MemoryFormat {
  static let choices = ["auto", "nchw", "nhwc"]

  static func validate(_ value: String) throws {
    guard choices.contains(value) else {
      throw FourierLensError.badOption(name: "--memory-format", reason: "expected auto, nchw or nhwc, got '\(value)'")
    }
  }

  /// Switches `model` to the requested order; `auto` leaves the architecture's default.
  static func apply(_ value: String, to model: TorchModel) throws {
    if value != "auto" { try model.setChannelsLast(value == "nhwc") }
  }
}
