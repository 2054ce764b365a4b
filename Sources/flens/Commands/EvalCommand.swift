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
      The data is preprocessed with --grayscale / --size as given; its image shape must \
      be the model's input shape. --json prints `accuracy` (a fraction in [0, 1]) and \
      `count` (images evaluated); with --attack also `robust_accuracy`: the fraction of \
      images still classified correctly after the attack (an attack plugin, see \
      `flens plugins`; its seed comes from --seed and the batch).

      Examples:
        flens eval --model runs/smallcnn --data ../shared/data/cifar10 --json
        flens eval --model runs/smallcnn --data ../shared/data/cifar10 --limit 500 \\
          --attack pgd-linf:eps=0.0157,steps=10 --json
      """
  )

  @OptionGroup var modelOptions: ModelOptions
  @OptionGroup var dataOptions: DataOptions<TestSplitByDefault>

  @Option(name: .long, help: ArgumentHelp("Also measure accuracy under this attack plugin (name:key=value,...).", valueName: "spec"))
  var attack: String?

  @OptionGroup var pluginOptions: PluginPathOptions

  @Option(name: .long, help: ArgumentHelp("Seed of the attack's random choices.", valueName: "s"))
  var seed: UInt64 = 0

  @Option(name: .long, help: ArgumentHelp("Images per forward pass (and per attack call).", valueName: "n"))
  var batch = 500

  @Flag(name: .long, help: "Print one JSON object on stdout.")
  var json = false

  func validate() throws {
    if dataOptions.data == nil { throw FourierLensError.badOption(name: "--data", reason: "give the data to evaluate on (--data PATH)") }
    if let attack { _ = try PluginSpec.parse(attack, option: "--attack") }
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be positive, got \(batch)") }
  }

  struct Report: Encodable {
    var accuracy: Double
    var count: Int
    var robustAccuracy: Double?
    var attack: String?
    var model: String
    /// The split evaluated on; null for data without splits.
    var split: NullWhenAbsent<DatasetSplit>
    /// The images evaluated: `split`, `offset`, `count`.
    var imageRange: ImageRange
  }

  func run() throws {
    let model = try modelOptions.load()
    let dataPath = try dataOptions.requiredPath()
    let dataset = try dataOptions.open()
    let split = dataset.info.split
    guard dataset.info.shape == model.description.input else {
      throw FourierLensError.shapeMismatch(
        "model \(modelOptions.model) expects images of shape \(model.description.input), the data \(dataPath) has \(dataset.info.shape) (use --grayscale / --size)")
    }
    let spec = try attack.map { try PluginSpec.parse($0, option: "--attack") }
    let attackPlugin = try spec.map { try pluginOptions.registry().makeAttack($0) }
    let result = try ClassifierEvaluation.evaluate(model, on: dataset, attack: attackPlugin, batchSize: batch, limit: nil, seed: seed)
    let range = ImageRange(split: split, offset: dataset.info.offset, count: result.count)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let report = Report(accuracy: result.accuracy, count: result.count, robustAccuracy: result.robustAccuracy,
                          attack: spec?.description, model: modelOptions.model, split: NullWhenAbsent(split),
                          imageRange: range)
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
    } else {
      let images = split == nil ? "no split, images \(range.offset)..<\(range.end)" : range.description
      print(String(format: "accuracy %.4f on %d images (%@)", result.accuracy, result.count, images))
      if let robust = result.robustAccuracy, let spec {
        print(String(format: "robust accuracy %.4f under %@", robust, spec.description))
      }
    }
  }
}
