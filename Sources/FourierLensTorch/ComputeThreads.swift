import Foundation
import FourierLens

/// The `--threads` setting shared by commands that compute — libtorch (OpenMP, MKL) and
/// FFTW — and the memory policy that suits them (freed activations are reused rather than
/// unmapped).
public enum ComputeThreads {
  public static func apply(_ threads: Int?) throws {
    let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
    try TorchRuntime.setThreads(n)
    FrequencyThreads.set(n)
    try TorchRuntime.keepFreedMemory()
  }
}
