import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

struct ProbeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "probe",
    abstract: "Measure a model (and optionally a learned mask): accuracy, attacks, corruptions, heat maps, pass-bands, bands.",
    discussion: """
      Probes (repeat --probe for several):
      \(ProbeFactory.helpTable())

      Each probe writes NAME.json and NAME.csv (and NAME.<key>.npy) into --out. \
      Probes that would share a NAME (the same attack with different options) get \
      their options appended, e.g. attack-pgd-linf_eps=0.03; the same probe twice is an error.

      Example:
        flens probe --model runs/standard --data ../shared/data/cifar10 \\
          --grayscale --limit 500 \\
          --mask masks/standard --probe accuracy \\
          --probe 'attack:pgd-linf:eps=0.03' \\
          --probe heatmap --out probes/standard
      """)

  @OptionGroup var modelOptions: ModelOptions

  @OptionGroup var data: DataOptions<TestSplitByDefault>

  @Option(help: ArgumentHelp("A `flens learn-mask` directory to probe through.", valueName: "dir"))
  var mask: String?

  @Option(help: ArgumentHelp("A mask directory to compare band energies against (bands probe).", valueName: "dir"))
  var baseline: String?

  @Option(name: .customLong("probe"), help: ArgumentHelp("A probe spec (repeatable).", valueName: "spec"))
  var probes: [String] = []

  @Option(help: "Images per batch.")
  var batch = 128

  @Option(help: "Random seed.")
  var seed: UInt64 = 0

  @Option(help: ArgumentHelp("Output directory.", valueName: "dir"))
  var out: String


  @OptionGroup var plugins: PluginPathOptions

  @Flag(help: "Print every probe's JSON as one object on stdout.")
  var json = false

  func validate() throws {
    if probes.isEmpty { throw ValidationError("give at least one --probe (see --help)") }
    if batch < 1 { throw ValidationError("--batch must be ≥ 1, got \(batch)") }
  }

  func run() throws {
    let registry = plugins.registry()
    let learned = try mask.map(MaskRunDirectory.read)
    let baselineMask = try baseline.map(MaskRunDirectory.read)
    // Every spec is checked before any work starts.
    let made = try ProbeFactory.makeAll(probes, host: ProbeHost(
      registry: registry, baseline: baselineMask,
      trainers: FreshArchitectureTraining.factory(device: try modelOptions.compute.computeDevice()),
      linearAnalysis: TorchLinearAnalysis()))
    let classifier = try modelOptions.load()
    let (dataset, imageNote) = try probeImages(for: learned)
    guard dataset.info.shape == classifier.description.input else {
      throw FourierLensError.shapeMismatch("\(data.data ?? "data") has images of shape \(dataset.info.shape), model \(modelOptions.model) expects \(classifier.description.input) (use --grayscale/--size)")
    }
    if let learned, let dir = mask {
      // A mask learned for another input size or channel count cannot be applied.
      let input = classifier.description.input
      let needed = learned.layout == .shared ? Array(input.dropFirst()) : input
      guard learned.shape == needed else {
        throw FourierLensError.badFile(
          path: MaskRunDirectory.maskFile(dir),
          reason: "a mask of shape \(learned.shape) does not fit model \(modelOptions.model) with input \(input) (it needs \(needed))")
      }
    }
    let context = ProbeContext(model: classifier, dataset: dataset, mask: learned, batchSize: batch, seed: seed,
                               showsProgress: !json)
    var all: [String: JSONValue] = [:]
    for planned in made {
      let output = try planned.probe.run(context)
      let stem = planned.fileStem
      try ProbeFactory.write(output, name: stem, images: dataset.info.range, to: out)
      all[stem] = output.json
      if !json { FileHandle.standardError.write(Data("probe \(stem): written to \(out)/\(stem).json\n".utf8)) }
    }
    if json { print(String(decoding: try JSONValue.object(all).encoded(), as: UTF8.self)) }
    if let imageNote, !json { FileHandle.standardError.write(Data("probe: \(imageNote)\n".utf8)) }
  }

  /// The probe's images. With `--mask` and without `--offset`, the images after the mask's
  /// learning and validation images (read from its summary.json) when they come from the
  /// same data and split, so that accuracies through the mask are measured on images it
  /// never saw; an explicit `--offset` that overlaps them is warned about.
  /// Returns the images and what to say about them: said once the probes ran, so that a
  /// refusal stays the one line it is.
  private func probeImages(for learned: LearnedMask?) throws -> (Dataset, String?) {
    let given = try data.open()
    guard let learned, learned.summary.data == data.data else { return (given, nil) }
    let used = [learned.summary.learningImages, learned.summary.validationImages].compactMap { $0 }
      .filter { $0.split == given.info.split }
    guard !used.isEmpty else { return (given, nil) }
    let named = used.map(\.description).joined(separator: " and ")
    if data.offset != nil {
      guard used.contains(where: { $0.overlaps(given.info.range) }) else { return (given, nil) }
      return (given, "warning: the probe images \(given.info.range.description) overlap the mask's learning or validation "
                + "images (\(named)): accuracies through the mask are partly in-sample")
    }
    let start = used.map(\.end).max()!
    let whole = try data.open(offset: 0, limit: nil)
    guard start < whole.info.count else {
      return (given, "warning: no images are left after the mask's images (\(named)); measured on "
                + "\(given.info.range.description), which overlap them: accuracies through the mask are partly in-sample")
    }
    let held = try ImageRangeDataset(base: whole, offset: start, count: data.limit)
    return (held, "measured on \(held.info.range.description), after the mask's images (\(named)); --offset chooses others")
  }
}
