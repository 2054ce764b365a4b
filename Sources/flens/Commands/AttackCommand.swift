import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens attack`: runs an attack plugin on a model and writes the clean and adversarial
/// batches, so users can look at what the attack did (and feed them to other tools).
struct AttackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attack",
    abstract: "Attack a model on a dataset and write clean.npy, adversarial.npy, labels.npy and summary.json.",
    discussion: """
      --attack is a plugin spec name:key=value,... (see `flens plugins`), for example \
      pgd-linf:eps=0.03,alpha=0.0075,steps=10 or pgd-band:eps=0.5,rmin=0.5. Budgets are \
      in pixel space [0, 1] unless the attack's `space` option says otherwise. Images are \
      attacked in batches of --batch; the seed of batch b is derived from --seed and b.

      DIR receives clean.npy and adversarial.npy ([N, C, H, W] float32, pixel space), \
      labels.npy (int64) and summary.json: `attack`, `library`, `model`, `data`, `split`, \
      `count`, `clean_accuracy`, `adversarial_accuracy`, `linf` and `l2` (the mean and \
      max per-image perturbation norms), `seed`, `model_queries` (the attack's logits and \
      loss_grad calls and the images they evaluated). Nothing is written until every batch is \
      done; each file is written atomically. --json prints the summary.

      Example:
        flens attack --model runs/smallcnn --data ../shared/data/cifar10 \\
          --attack pgd-linf:eps=0.03 --limit 256 --out runs/attack
      """
  )

  @OptionGroup var modelOptions: ModelOptions
  @OptionGroup var dataOptions: DataOptions<TestSplitByDefault>
  @OptionGroup var pluginOptions: PluginPathOptions

  @Option(name: .long, help: ArgumentHelp("The attack plugin spec, name:key=value,...", valueName: "spec"))
  var attack: String

  @Option(name: .long, help: ArgumentHelp("Output directory (created if missing).", valueName: "dir"))
  var out: String

  @Option(name: .long, help: ArgumentHelp("Images per attack call.", valueName: "n"))
  var batch = 256

  @Option(name: .long, help: ArgumentHelp("Seed of the attack's random choices.", valueName: "s"))
  var seed: UInt64 = 0

  @Flag(name: .long, help: "Print the summary as one JSON object on stdout.")
  var json = false

  func validate() throws {
    if dataOptions.data == nil { throw FourierLensError.badOption(name: "--data", reason: "give the data to attack (--data PATH)") }
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be positive, got \(batch)") }
    if out.isEmpty { throw FourierLensError.badOption(name: "--out", reason: "empty path") }
    _ = try PluginSpec.parse(attack, option: "--attack")
  }

  struct NormSummary: Encodable {
    var mean: Double
    var max: Double
  }

  struct Summary: Encodable {
    var attack: String
    var library: String
    var model: String
    var data: String
    /// The split attacked; null for data without splits.
    var split: NullWhenAbsent<DatasetSplit>
    var count: Int
    /// The images attacked: `split`, `offset`, `count`.
    var imageRange: ImageRange
    var cleanAccuracy: Double
    var adversarialAccuracy: Double
    var linf: NormSummary
    var l2: NormSummary
    var seed: UInt64
    /// How often the attack asked the model (the plugin's logits and loss_grad callbacks).
    var modelQueries: JSONValue

    enum CodingKeys: String, CodingKey {
      case attack, library, model, data, split, count, imageRange = "image_range", cleanAccuracy = "clean_accuracy",
           adversarialAccuracy = "adversarial_accuracy", linf, l2, seed, modelQueries = "model_queries"
    }
  }

  func run() throws {
    // The plugin first: a bad spec should not wait for the model to load.
    let plugin = try pluginOptions.registry().makeAttack(PluginSpec.parse(attack, option: "--attack"))
    let model = try modelOptions.load()
    let dataPath = try dataOptions.requiredPath()
    let dataset = try dataOptions.open()
    guard dataset.info.shape == model.description.input else {
      throw FourierLensError.shapeMismatch(
        "model \(modelOptions.model) expects images of shape \(model.description.input), the data \(dataPath) has \(dataset.info.shape) (use --grayscale / --size)")
    }
    let total = dataset.info.count
    guard total > 0 else { throw FourierLensError.badFile(path: dataPath, reason: "no images to attack") }
    let k = model.classCount
    let progress = ProgressReporter(label: "attack \(plugin.name)", total: total, quiet: json)
    var clean: [Tensor] = [], adversarial: [Tensor] = [], labels: [Int] = []
    var cleanCorrect = 0, adversarialCorrect = 0
    var linfSum = 0.0, linfMax = 0.0, l2Sum = 0.0, l2Max = 0.0
    var batchIndex: UInt64 = 0
    let batches = (total + batch - 1) / batch
    let queriesBefore = plugin.queries
    for start in stride(from: 0, to: total, by: batch) {
      let images = try dataset.batch(Array(start ..< min(total, start + batch)))
      let adv = try plugin.perturb(images, model: model, seed: SeededGenerator.derive(seed, batchIndex),
                                   batchIndex: Int(batchIndex), of: batches, firstImage: start)
      cleanCorrect += zip(ClassifierEvaluation.argmax(try model.logits(images.images), classes: k), images.labels).filter { $0 == $1 }.count
      adversarialCorrect += zip(ClassifierEvaluation.argmax(try model.logits(adv), classes: k), images.labels).filter { $0 == $1 }.count
      let per = images.images.strideOfFirstDimension
      adv.data.withUnsafeBufferPointer { a in
        images.images.data.withUnsafeBufferPointer { x in
          for i in 0 ..< images.count {
            var l2 = 0.0, linf = 0.0
            for j in i * per ..< (i + 1) * per {
              let d = Double(a[j] - x[j])
              l2 += d * d
              linf = max(linf, abs(d))
            }
            l2 = l2.squareRoot()
            l2Sum += l2
            l2Max = max(l2Max, l2)
            linfSum += linf
            linfMax = max(linfMax, linf)
          }
        }
      }
      clean.append(images.images)
      adversarial.append(adv)
      labels += images.labels
      progress.advance(by: images.count, metrics: String(format: "robust %.3f", Double(adversarialCorrect) / Double(labels.count)))
      batchIndex += 1
    }
    progress.finish()

    let summary = Summary(
      attack: plugin.spec.description, library: plugin.plugin.library, model: modelOptions.model, data: dataPath,
      split: NullWhenAbsent(dataset.info.split), count: total, imageRange: dataset.info.range, cleanAccuracy: Double(cleanCorrect) / Double(total),
      adversarialAccuracy: Double(adversarialCorrect) / Double(total),
      linf: NormSummary(mean: linfSum / Double(total), max: linfMax), l2: NormSummary(mean: l2Sum / Double(total), max: l2Max),
      seed: seed, modelQueries: plugin.queries.since(queriesBefore).json(images: total))
    do {
      try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    } catch {
      throw FourierLensError.badFile(path: out, reason: "cannot create the output directory: \(error.localizedDescription)")
    }
    let dir = out as NSString
    try NPY.write(Tensor.concatenate(clean), to: dir.appendingPathComponent("clean.npy"))
    try NPY.write(Tensor.concatenate(adversarial), to: dir.appendingPathComponent("adversarial.npy"))
    try NPY.write(ints: labels, shape: [labels.count], to: dir.appendingPathComponent("labels.npy"))
    try AtomicFile.writeJSON(summary, to: dir.appendingPathComponent("summary.json"))
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    } else {
      print(String(format: "%@: accuracy %.4f clean, %.4f adversarial on %d images; mean L-inf %.4f, mean L2 %.4f; wrote %@",
                   plugin.spec.description, summary.cleanAccuracy, summary.adversarialAccuracy, total, summary.linf.mean,
                   summary.l2.mean, out))
    }
  }
}
