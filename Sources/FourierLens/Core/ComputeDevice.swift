import Foundation

/// Where a model computes, as `--device` and experiment files name it: `cpu`, `cuda` (the
/// first GPU), `cuda:N`, or `auto` (the first GPU when libtorch sees one, else the CPU).
public enum ComputeDevice: Equatable, Sendable, CustomStringConvertible {
  case auto
  case cpu
  case cuda(index: Int)

  /// Parses `cpu`, `cuda`, `cuda:N` or `auto`; `option` names the setting in the error.
  public init(parsing text: String, option: String = "--device") throws {
    switch text {
    case "auto": self = .auto
    case "cpu": self = .cpu
    case "cuda": self = .cuda(index: 0)
    default:
      guard text.hasPrefix("cuda:"), let index = Int(text.dropFirst(5)), index >= 0 else {
        throw FourierLensError.badOption(name: option, reason: "'\(text)' is not a device (cpu, cuda, cuda:N or auto)")
      }
      self = .cuda(index: index)
    }
  }

  /// The name libtorch uses (`auto` stays `auto`).
  public var description: String {
    switch self {
    case .auto: return "auto"
    case .cpu: return "cpu"
    case let .cuda(index): return "cuda:\(index)"
    }
  }

  public var isCUDA: Bool { if case .cuda = self { return true } else { return false } }
}
