/// Errors a user can act on. Every case says what is wrong and, where there is one, which file.
public enum FourierLensError: Error, CustomStringConvertible, Equatable {
  /// A file that cannot be read or is not what it claims to be.
  case badFile(path: String, reason: String)
  /// A command-line or experiment option with a value outside what it accepts.
  case badOption(name: String, reason: String)
  /// A setting (a flag, or an experiment file's key) with a value outside what it accepts;
  /// each front end names the setting in its own terms (see `SettingKey`). Described as the
  /// command line says it.
  case badSetting(SettingKey, reason: String)
  /// Shapes that do not fit together (a mask for another image size, a model for other data).
  case shapeMismatch(String)
  /// A NaN or infinity where a finite number is required.
  case nonFinite(String)
  /// A plugin that could not be loaded or that failed.
  case plugin(library: String, reason: String)
  /// A valid request a plugin declined (its FLENS_ERROR_UNSUPPORTED status), such as a
  /// DFT-only mask asked for the DCT: callers that offer alternatives try the next one.
  case pluginDeclined(library: String, reason: String)
  /// The model backend (libtorch) reported a failure.
  case backend(String)
  /// Anything else, with a message.
  case message(String)

  public var description: String {
    switch self {
    case let .badFile(path, reason): return "\(path): \(reason)"
    case let .badOption(name, reason): return "option \(name): \(reason)"
    case let .badSetting(key, reason): return "option \(key.flag): \(reason)"
    case let .shapeMismatch(m): return "shape mismatch: \(m)"
    case let .nonFinite(m): return "non-finite value: \(m)"
    case let .plugin(library, reason), let .pluginDeclined(library, reason): return "plugin \(library): \(reason)"
    case let .backend(m): return "model backend: \(m)"
    case let .message(m): return m
    }
  }
}
