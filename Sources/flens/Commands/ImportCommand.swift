import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens import`: turns a PyTorch model into a FourierLens model directory.
struct ImportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "import",
    abstract: "Import a PyTorch model: a TorchScript module or a state dict for a built-in architecture.",
    discussion: """
      A TorchScript module (torch.jit.trace(model, example).save("model.pt") or \
      torch.jit.script(...).save) must map a normalised [N, C, H, W] float32 batch to \
      [N, classes] logits; FourierLens applies (x − mean) / std to pixel-space input \
      ([0, 1]) before calling it. The module is run once on import to check its shapes.

      A state dict loads into a built-in architecture \
      (--arch smallcnn|resnet18|resnet18-imagenet|vgg11bn) by torchvision's parameter names; \
      every tensor must be present with the right shape. Save it from Python as usual, or as \
      safetensors:
        torch.save(model.state_dict(), "weights.pt")
        safetensors.torch.save_file(model.state_dict(), "weights.safetensors")

      resnet18 uses the CIFAR stem (3×3 conv, no max-pool) for inputs under 64×64; \
      resnet18-imagenet is torchvision's resnet18 (7×7/2 stem, max-pool) at any size.

      --classes takes the class names in label order, or a single number N for the \
      names 0…N−1.

      Examples:
        flens import --torchscript net.pt --input 3,32,32 --mean 0.49,0.48,0.45 \\
          --std 0.25,0.24,0.26 --classes 10 --out models/imported
        flens import --state-dict weights.pt --arch resnet18 --input 3,224,224 \\
          --mean 0.485,0.456,0.406 --std 0.229,0.224,0.225 --classes 1000 \\
          --out models/r18
      """
  )

  @Option(name: .long, help: ArgumentHelp("A TorchScript module file.", valueName: "file.pt"))
  var torchscript: String?

  @Option(name: .long, help: ArgumentHelp("A state dict saved with torch.save(model.state_dict(), path), or a .safetensors file.", valueName: "file"))
  var stateDict: String?

  @Option(name: .long, help: ArgumentHelp("The architecture the state dict belongs to.", valueName: "arch"))
  var arch: TorchArchitecture?

  @Option(name: .long, help: ArgumentHelp("Input shape C,H,W.", valueName: "c,h,w"))
  var input: String

  @Option(name: .long, help: ArgumentHelp("Per-channel means of the normalisation the model expects.", valueName: "m,..."))
  var mean: String

  @Option(name: .long, help: ArgumentHelp("Per-channel standard deviations of the normalisation.", valueName: "s,..."))
  var std: String

  @Option(name: .long, help: ArgumentHelp("Class names in label order, or their number.", valueName: "a,b,..."))
  var classes: String

  @OptionGroup var threadsOption: ThreadsOption

  @Option(name: .long, help: ArgumentHelp("The model directory to write.", valueName: "model"))
  var out: String

  @Flag(name: .long, help: "Print the model description as one JSON object on stdout.")
  var json = false

  func validate() throws {
    switch (torchscript, stateDict) {
    case (nil, nil):
      throw FourierLensError.badOption(name: "--torchscript", reason: "give --torchscript FILE or --state-dict FILE with --arch")
    case (.some, .some):
      throw FourierLensError.badOption(name: "--state-dict", reason: "give either --torchscript or --state-dict, not both")
    case (nil, .some):
      if arch == nil { throw FourierLensError.badOption(name: "--arch", reason: "a state dict needs the architecture it belongs to") }
    case (.some, nil):
      if arch != nil { throw FourierLensError.badOption(name: "--arch", reason: "only used with --state-dict") }
    }
    _ = try description()
    if out.isEmpty { throw FourierLensError.badOption(name: "--out", reason: "empty path") }
  }

  /// The model description the flags give.
  func description() throws -> ModelDescription {
    let shape = input.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard shape.count == 3, shape.allSatisfy({ ($0 ?? 0) > 0 }) else {
      throw FourierLensError.badOption(name: "--input", reason: "expected C,H,W with positive integers, got '\(input)'")
    }
    let c = shape[0]!
    let m = try TrainCommand.parseFloats(mean, option: "--mean")
    let s = try TrainCommand.parseFloats(std, option: "--std")
    guard m.count == c else { throw FourierLensError.badOption(name: "--mean", reason: "needs \(c) values (one per channel), got \(m.count)") }
    guard s.count == c else { throw FourierLensError.badOption(name: "--std", reason: "needs \(c) values (one per channel), got \(s.count)") }
    guard s.allSatisfy({ $0 > 0 }) else { throw FourierLensError.badOption(name: "--std", reason: "every value must be positive") }
    var names = classes.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    if names.count == 1, let n = Int(names[0]) {
      guard n >= 1 else { throw FourierLensError.badOption(name: "--classes", reason: "needs at least one class") }
      names = (0 ..< n).map(String.init)
    }
    guard !names.isEmpty, names.allSatisfy({ !$0.isEmpty }) else {
      throw FourierLensError.badOption(name: "--classes", reason: "expected class names separated by commas (or their number), got '\(classes)'")
    }
    guard Set(names).count == names.count else { throw FourierLensError.badOption(name: "--classes", reason: "class names repeat") }
    let record = TrainingRecord(format: torchscript != nil ? "torchscript" : "state_dict", importedFrom: torchscript ?? stateDict ?? "")
    return ModelDescription(arch: arch?.rawValue ?? ModelDirectory.torchScriptArch, input: shape.map { $0! }, mean: m, std: s,
                            classes: names, training: record)
  }

  func run() throws {
    try threadsOption.apply()
    let d = try description()
    let model: TorchModel
    if let torchscript {
      model = try TorchModel.importTorchScript(file: torchscript, description: d)
    } else {
      model = try TorchModel.create(architecture: arch!, input: d.input, mean: d.mean, std: d.std,
                                    classes: d.classes, seed: 0, training: d.training)
      try model.loadStateDict(file: stateDict!)
    }
    try model.save(to: out)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(model.description), as: UTF8.self))
    } else {
      print("imported \(model.description.arch) model (input \(d.input.map(String.init).joined(separator: "x")), \(d.classes.count) classes) into \(out)")
    }
  }
}
