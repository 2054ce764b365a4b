import CTorchShim
import FourierLens

/// Process-wide libtorch settings and diagnostics.
public enum TorchRuntime {
  /// libtorch's version as major·100 + minor (215 for 2.15).
  public static var version: Int { Int(flt_version()) }

  /// Sets libtorch's intra-op threads (OpenMP and MKL; a shared OpenBLAS's too). Throws for n < 1.
  public static func setThreads(_ n: Int) throws {
    guard n >= 1, n <= 4096 else { throw FourierLensError.badSetting(.threads, reason: "must be at least 1, got \(n)") }
    try ShimStatus.check(flt_set_num_threads(Int32(n)))
  }

  public static var threads: Int { Int(flt_get_num_threads()) }

  /// Lets glibc reuse freed memory instead of unmapping it, which saves the page faults of
  /// re-allocating every step's activations (see fl_torch.h). Process-wide; returns the
  /// mmap threshold it set.
  @discardableResult
  public static func keepFreedMemory() throws -> Int {
    var threshold = 0
    try ShimStatus.check(flt_keep_freed_memory(&threshold))
    return threshold
  }

  /// Seeds libtorch's global generator (weight initialisation, dropout).
  public static func manualSeed(_ seed: UInt64) throws {
    try ShimStatus.check(flt_manual_seed(seed))
  }

  /// The BLAS libtorch calls ("mkl" for the PyPI wheel; a reference BLAS is ~30× slower).
  public static var blasLibrary: String {
    var buffer = [CChar](repeating: 0, count: 1024)
    guard flt_blas_library(&buffer, buffer.count) == FLT_OK else { return "unknown" }
    return String(nulTerminated: buffer)
  }

  /// Whether libtorch can use oneDNN (MKL-DNN) kernels.
  public static var hasMKLDNN: Bool { flt_mkldnn_available() != 0 }

  /// GFLOP/s of an n×n float32 matrix product through libtorch (best of `repeats`).
  public static func matmulGFLOPS(size n: Int = 2048, repeats: Int = 3) throws -> Double {
    var gflops = 0.0
    try ShimStatus.check(flt_benchmark_matmul(Int32(n), Int32(repeats), &gflops))
    return gflops
  }
}
