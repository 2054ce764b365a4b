import Foundation

/// Ctrl-C for long runs. After `install()`, the first SIGINT only sets a flag that
/// training and mask learning poll at every step boundary: they stop there, write a
/// checkpoint and throw `InterruptedError`, which `flens` reports with how to resume and
/// exit status 130. A second SIGINT exits at once with status 130 (outputs are written
/// atomically, so even then nothing is left half-written).
public enum Interruption {
  /// True once SIGINT arrived after `install()`.
  public static var requested: Bool { interruptFlag != 0 }

  /// Installs the handler and clears the flag.
  public static func install() {
    interruptFlag = 0
    // A parent may have started us with SIGINT blocked (the mask is inherited): unblock it.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in
      if interruptFlag != 0 { _exit(130) }
      interruptFlag = 1
    }
  }

  /// Restores the default action of SIGINT.
  public static func uninstall() {
    signal(SIGINT, SIG_DFL)
  }

  /// Sets the flag as SIGINT would (tests, embedding hosts).
  public static func request() { interruptFlag = 1 }
  public static func reset() { interruptFlag = 0 }
}

private nonisolated(unsafe) var interruptFlag: sig_atomic_t = 0

/// A run that stopped at a step boundary on request; its message says where the
/// checkpoint is and how to continue.
public struct InterruptedError: Error, CustomStringConvertible {
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
