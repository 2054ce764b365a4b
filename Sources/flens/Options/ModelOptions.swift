import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `--model MODEL` and `--threads N`: the options of every command that runs a trained model.
struct ModelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("A model directory written by `flens train` or `flens import`.", valueName: "model"))
  var model: String

  @Option(name: .long, help: ArgumentHelp("Compute threads for libtorch (OpenMP, MKL) and FFTW (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    if model.isEmpty { throw FourierLensError.badOption(name: "--model", reason: "empty path") }
    if let threads, threads < 1 { throw FourierLensError.badOption(name: "--threads", reason: "must be at least 1, got \(threads)") }
  }

  /// Sets the thread count, then loads the model.
  func load() throws -> TorchModel {
    try ComputeThreads.apply(threads)
    return try TorchModel.load(from: model)
  }
}

/// The `--threads` setting shared by commands that compute — libtorch (OpenMP, MKL) and
/// FFTW — and the memory policy that suits them (freed activations are reused rather than
/// unmapped).
enum ComputeThreads {
  static func apply(_ threads: Int?) throws {
    let n = threads ?? ProcessInfo.processInfo.activeProcessorCount
    try TorchRuntime.setThreads(n)
    FrequencyThreads.set(n)
    try TorchRuntime.keepFreedMemory()
  }
}
