import ArgumentParser
import Foundation
import FourierLens

/// `flens info`: what a dataset is (format, count, classes, image shape). Structured as
/// one input source per option so that `--model` can join `--data` as a second source.
struct InfoCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "info",
    abstract: "Describe a dataset: format, image count, class names and image shape.",
    discussion: """
      Recognises CIFAR-10 binary directories, MNIST IDX directories, image folders
      (one subdirectory of PNG/JPEG files per class; images have 3 channels) and
      images.npy + labels.npy directories, and train/ + test/ subdirectories of these.
      The shape is [C, H, W] after --grayscale / --size. The default split is test.

      Example:
        flens info --data ../shared/data/cifar10 --split test --json
      """
  )

  @OptionGroup var dataOptions: DataOptions

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    if dataOptions.data == nil {
      throw FourierLensError.badOption(name: "--data", reason: "give the dataset to describe (--data PATH)")
    }
  }

  func run() throws {
    let info = try dataOptions.open(defaultSplit: .test).info
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

  static func text(_ info: DatasetInfo) -> String {
    """
    format:  \(info.format)
    count:   \(info.count)
    shape:   \(info.shape.map(String.init).joined(separator: "x")) (C x H x W)
    classes: \(info.classes.count) (\(info.classes.joined(separator: ", ")))
    """
  }
}
