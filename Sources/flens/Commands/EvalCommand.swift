import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens eval`: accuracy of a model on a dataset split.
struct EvalCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "eval",
    abstract: "Accuracy of a model on a dataset (default split: test).",
    discussion: """
      The data is preprocessed with --grayscale / --size as given; its image shape must
      be the model's input shape. --json prints `accuracy` (a fraction in [0, 1]) and
      `count` (images evaluated).

      Example:
        flens eval --model runs/smallcnn --data ../shared/data/cifar10 --json
      """
  )

  @OptionGroup var modelOptions: ModelOptions
  @OptionGroup var dataOptions: DataOptions

  @Option(name: .long, help: ArgumentHelp("Images per forward pass.", valueName: "n"))
  var batch = 500

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    if dataOptions.data == nil { throw FourierLensError.badOption(name: "--data", reason: "give the data to evaluate on (--data PATH)") }
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be positive, got \(batch)") }
  }

  struct Report: Encodable {
    var accuracy: Double
    var count: Int
    var model: String
    var split: String
  }

  func run() throws {
    let model = try modelOptions.load()
    let split = dataOptions.split ?? .test
    let dataset = try dataOptions.open(defaultSplit: .test)
    guard dataset.info.shape == model.description.input else {
      throw FourierLensError.shapeMismatch(
        "model \(modelOptions.model) expects images of shape \(model.description.input), the data \(dataOptions.data!) has \(dataset.info.shape) (use --grayscale / --size)")
    }
    let result = try ClassifierEvaluation.evaluate(model, on: dataset, attack: nil, batchSize: batch, limit: nil, seed: 0)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      let report = Report(accuracy: result.accuracy, count: result.count, model: modelOptions.model, split: split.rawValue)
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      print(String(format: "accuracy %.4f on %d images (%@ split)", result.accuracy, result.count, split.rawValue))
    }
  }
}
