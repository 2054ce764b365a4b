import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens info`: what a dataset is (format, count, classes, image shape). Structured as
/// one input source per option so that `--model` can join `--data` as a second source.
struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Describe a dataset (format, image count, class names, image shape) or a model.",
    discussion: """
      Recognises CIFAR-10 binary directories, MNIST IDX directories, image folders \
      (one subdirectory of PNG/JPEG files per class; images have 3 channels) and \
      images.npy + labels.npy directories, and train/ + test/ subdirectories of these. \
      The shape is [C, H, W] after --grayscale / --size. The default split is test.

      With --model, prints the model's description instead (arch, input [C, H, W], \
      mean, std, classes and how it was trained).

      Examples:
        flens info --data ../shared/data/cifar10 --split test --json
        flens info --model runs/smallcnn --json
        flens info --devices --json
      """
  )

  @OptionGroup var dataOptions: DataOptions<TestSplitByDefault>

  @Option(name: .long, help: ArgumentHelp("Describe a model directory instead: arch, input, mean, std, classes, training.", valueName: "model"))
  var model: String?

  @Flag(name: .long, help: "Describe the compute devices instead: libtorch's version and BLAS, the CUDA devices libtorch sees (and why none), and what --device auto picks.")
  var devices = false

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    let sources = [dataOptions.data != nil, model != nil, devices].filter { $0 }.count
    if sources == 0 {
      throw FourierLensError.badOption(name: "--data", reason: "give the dataset (--data PATH), the model (--model MODEL) or --devices to describe")
    }
    if sources > 1 {
      throw FourierLensError.badOption(name: "--model", reason: "give one of --data, --model and --devices")
    }
  }

  /// What `flens info --devices` reports.
  struct DeviceReport: Encodable {
    var torchVersion: String
    var blas: String
    var cudaDevices: Int
    var cudaUnavailableReason: String?
    var autoDevice: String

    enum CodingKeys: String, CodingKey {
      case torchVersion = "torch_version", blas, cudaDevices = "cuda_devices"
      case cudaUnavailableReason = "cuda_unavailable_reason", autoDevice = "auto_device"
    }

    static func current() -> DeviceReport {
      let cuda = CUDAAvailability.current
      return DeviceReport(torchVersion: "\(TorchRuntime.version / 100).\(TorchRuntime.version % 100)", blas: TorchRuntime.blasLibrary,
                          cudaDevices: cuda.deviceCount, cudaUnavailableReason: cuda.deviceCount == 0 ? cuda.reason : nil,
                          autoDevice: ComputeDevice.auto.resolved().description)
    }
  }

  func run() throws {
    if devices {
      let report = DeviceReport.current()
      if json {
        print(try Self.jsonString(report))
      } else {
        print("libtorch \(report.torchVersion) (BLAS: \(report.blas)); CUDA devices: \(report.cudaDevices)"
          + (report.cudaUnavailableReason.map { " (\($0))" } ?? "") + "; --device auto uses \(report.autoDevice)")
      }
      return
    }
    if let model {
      let description = try ModelDirectory.readDescription(model)
      if json {
        print(try Self.jsonString(description))
      } else {
        print(Self.text(description))
      }
      return
    }
    let info = try dataOptions.open().info
    if json {
      print(try Self.jsonString(info))
    } else {
      print(Self.text(info))
    }
  }

  /// One compact JSON object with sorted keys.
  static func jsonString<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
  }

  static func text(_ d: ModelDescription) -> String {
    var lines = [
      "arch:    \(d.arch)",
      "input:   \(d.input.map(String.init).joined(separator: "x")) (C x H x W)",
      "mean:    \(d.mean.map { String(format: "%.4g", $0) }.joined(separator: ", "))",
      "std:     \(d.std.map { String(format: "%.4g", $0) }.joined(separator: ", "))",
      "classes: \(d.classes.count) (\(d.classes.joined(separator: ", ")))",
    ]
    lines += trainingLines(d.training)
    return lines.joined(separator: "\n")
  }

  /// `training.KEY: value` per entry of the record, keys sorted, values as JSON spells them
  /// (strings unquoted).
  static func trainingLines(_ record: TrainingRecord) -> [String] {
    guard let data = try? JSONEncoder().encode(record),
          let entries = (try? JSONDecoder().decode(JSONValue.self, from: data))?.objectValue else { return [] }
    return entries.keys.sorted().map { key in
      let value: String
      switch entries[key]! {
      case .string(let s): value = s
      case let other: value = (try? other.encoded()).map { String(decoding: $0, as: UTF8.self) } ?? "?"
      }
      return "training.\(key): \(value)"
    }
  }

  static func text(_ info: DatasetInfo) -> String {
    """
    format:  \(info.format)
    split:   \(info.split?.rawValue ?? "none (this format has no splits)")
    count:   \(info.count)
    shape:   \(info.shape.map(String.init).joined(separator: "x")) (C x H x W)
    classes: \(info.classes.count) (\(info.classes.joined(separator: ", ")))
    """
  }
}
