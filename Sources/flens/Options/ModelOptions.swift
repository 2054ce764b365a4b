import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `--model MODEL` with `--threads N` and `--device D`: the options of every command that runs
/// a trained model.
struct ModelOptions: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("A model directory written by `flens train` or `flens import`.", valueName: "model"))
  var model: String

  @OptionGroup var compute: ComputeOptions

  func validate() throws {
    if model.isEmpty { throw FourierLensError.badOption(name: "--model", reason: "empty path") }
  }

  /// Sets the thread count, loads the model and moves it to the device.
  func load() throws -> TorchModel {
    try compute.applyThreads()
    let loaded = try TorchModel.load(from: model)
    try loaded.move(to: compute.computeDevice())
    return loaded
  }
}

/// `--threads N` alone: the one declaration of the option, for commands that compute on the
/// CPU only (`flens import`) and, inside `ComputeOptions`, for every other command.
struct ThreadsOption: ParsableArguments {
  @Option(name: .long, help: ArgumentHelp("Compute threads for libtorch (OpenMP, MKL) and FFTW (default: all cores).", valueName: "n"))
  var threads: Int?

  func validate() throws {
    if let threads, threads < 1 { throw FourierLensError.badOption(name: "--threads", reason: "must be at least 1, got \(threads)") }
  }

  func apply() throws { try ComputeThreads.apply(threads) }
}

/// `--threads N` and `--device D`, shared by every command that computes.
struct ComputeOptions: ParsableArguments {
  @OptionGroup var threadsOption: ThreadsOption
  var threads: Int? { threadsOption.threads }

  @Option(name: .long, help: ArgumentHelp(
    "Where the model computes: cpu, cuda (the first GPU), cuda:N, or auto (a GPU when libtorch sees one, else the CPU; the default).",
    valueName: "device"))
  var device: String?

  func validate() throws {
    if let device { _ = try ComputeDevice(parsing: device) }
  }

  /// The device asked for (`auto` when none was).
  func computeDevice() throws -> ComputeDevice { try device.map { try ComputeDevice(parsing: $0) } ?? .auto }

  func applyThreads() throws { try threadsOption.apply() }
}
