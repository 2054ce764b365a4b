import Foundation
import Synchronization

/// Ctrl-C for long runs. After `install()`, the first SIGINT only sets a flag that
/// training and mask learning poll at every step boundary: they stop there, write a
/// checkpoint and throw `Interrupted`, which each front end reports once with how to
/// resume (`flens` exits with status 130). A second SIGINT exits at once with status 130
/// (outputs are written atomically, so even then nothing is left half-written).
public enum Interruption {
  /// True once SIGINT arrived after `install()`.
  public static var requested: Bool { interruptFlag.load(ordering: .relaxed) }

  /// Installs the handler and clears the flag.
  public static func install() {
    interruptFlag.store(false, ordering: .relaxed)
    // A parent may have started us with SIGINT blocked (the mask is inherited): unblock it.
    var set = sigset_t()
    sigemptyset(&set)
    sigaddset(&set, SIGINT)
    pthread_sigmask(SIG_UNBLOCK, &set, nil)
    signal(SIGINT) { _ in
      // A lock-free atomic exchange is async-signal-safe (no locks, no allocation).
      if interruptFlag.exchange(true, ordering: .relaxed) { _exit(130) }
    }
  }

  /// Restores the default action of SIGINT.
  public static func uninstall() {
    signal(SIGINT, SIG_DFL)
  }

  /// Sets the flag as SIGINT would (tests, embedding hosts).
  public static func request() { interruptFlag.store(true, ordering: .relaxed) }
  public static func reset() { interruptFlag.store(false, ordering: .relaxed) }
}

/// Set by the signal handler (any thread) and read by the loops: an atomic, so neither
/// side needs a lock, which a signal handler may not take.
private let interruptFlag = Atomic<Bool>(false)

/// A run that stopped on request (`Interruption`, or a `shouldStop` a caller set) at a step
/// boundary, after writing its checkpoint. Training and mask learning (the retention path
/// included) throw this one error; each front end catches it once and says how to continue
/// in its own terms (`flens`: the same command with `--resume`, exit status 130).
public struct Interrupted: Error, Equatable, Sendable, CustomStringConvertible {
  /// Where the run stopped: "after step 12", "before step 3 of 8 in epoch 2".
  public var position: String
  /// What the run continues from: the checkpoint file or directory; nil for a run that
  /// keeps none (image masks, which are quick to redo).
  public var checkpoint: String?

  public init(position: String, checkpoint: String?) {
    self.position = position
    self.checkpoint = checkpoint
  }

  public var description: String {
    "interrupted \(position); " + (checkpoint.map { "checkpoint written to \($0)" } ?? "this run keeps no checkpoint")
  }
}
