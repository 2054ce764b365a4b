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

extension FourierLensError {
  /// Runs one optimisation step (training or mask learning), adding `position` (where in the
  /// run it is: `epoch 3, step 7 of 40`) to the two errors a user needs it for: where a
  /// non-finite value first appeared, and at which step a plugin failed. Others pass unchanged.
  public static func locating<T>(_ position: @autoclosure () -> String, _ step: () throws -> T) throws -> T {
    do {
      return try step()
    } catch FourierLensError.nonFinite(let what) {
      throw FourierLensError.nonFinite("at \(position()): \(what)")
    } catch FourierLensError.plugin(let library, let reason) {
      throw FourierLensError.plugin(library: library, reason: "\(reason) (at \(position()))")
    }
  }
}
