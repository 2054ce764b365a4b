import CFFTW
import Foundation
import Synchronization

/// How many threads FFTW may use for one batched transform.
///
/// A process-wide setting because FFTW's own thread count is process-wide: it is read
/// when a plan is created, so plans are cached per thread count and a change takes
/// effect for the next transform. Default 1 (the caller, e.g. `--threads N`, decides).
public enum FrequencyThreads {
  private static let count = Atomic<Int>(1)

  /// Sets the thread count (values below 1 mean 1).
  public static func set(_ n: Int) {
    count.store(max(1, n), ordering: .relaxed)
  }

  /// The thread count new transforms use.
  public static var current: Int { count.load(ordering: .relaxed) }

  /// `fftwf_init_threads`, run once (Swift initialises a static `let` exactly once, even
  /// when first touched by several threads). FFTW wants it before its other functions, so
  /// buffer allocation and planning both touch it first. False if FFTW's threads failed.
  static let fftwThreadsReady: Bool = fftwf_init_threads() != 0
}

/// How hard FFTW searches for a fast plan.
///
/// `.estimate` (the default) plans instantly from heuristics; `.measure` times candidate
/// algorithms once per shape, which pays off only for long runs on one shape (mask
/// learning for many epochs) and would dominate short commands.
public enum FrequencyPlanRigor: String, Sendable, CaseIterable {
  case estimate, measure

  private static let value = Mutex(FrequencyPlanRigor.estimate)

  /// The rigor used for plans created from now on (existing plans are kept).
  public static var current: FrequencyPlanRigor {
    get { value.withLock { $0 } }
    set { value.withLock { $0 = newValue } }
  }

  var fftwFlag: UInt32 { self == .estimate ? UInt32(FFTW_ESTIMATE) : UInt32(FFTW_MEASURE) }
}
