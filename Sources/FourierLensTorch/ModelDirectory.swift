import Foundation
import FourierLens

/// The on-disk layout of a model (see ../shared/CLI.md):
///
///     MODEL/model.json   the ModelDescription (arch, input, mean, std, classes, training)
///     MODEL/weights.pt   built-in architectures: a pickled dict name → tensor, readable
///                        from Python with torch.load (the state-dict names of torchvision)
///     MODEL/module.pt    arch "torchscript": the TorchScript module
///
/// Every file is written through a temporary file and a rename; model.json is written last,
/// so a directory with a model.json always has the weights it describes.
public enum ModelDirectory {
  public static let descriptionFile = "model.json"
  public static let weightsFile = "weights.pt"
  public static let torchScriptFile = "module.pt"
  /// The architecture name for imported TorchScript modules.
  public static let torchScriptArch = "torchscript"

  public static func descriptionPath(_ model: String) -> String { (model as NSString).appendingPathComponent(descriptionFile) }
  public static func weightsPath(_ model: String) -> String { (model as NSString).appendingPathComponent(weightsFile) }
  public static func torchScriptPath(_ model: String) -> String { (model as NSString).appendingPathComponent(torchScriptFile) }

  /// Reads and checks `MODEL/model.json`. Errors name the file and the problem.
  public static func readDescription(_ model: String) throws -> ModelDescription {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) else {
      throw FourierLensError.badFile(path: model, reason: "no such model (a model is a directory with \(descriptionFile))")
    }
    guard isDirectory.boolValue else {
      throw FourierLensError.badFile(path: model, reason: "not a model directory (expected a directory with \(descriptionFile) and weights)")
    }
    let path = descriptionPath(model)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FourierLensError.badFile(path: path, reason: "missing or unreadable")
    }
    let description: ModelDescription
    do {
      description = try JSONDecoder().decode(ModelDescription.self, from: data)
    } catch let error as DecodingError {
      throw FourierLensError.badFile(path: path, reason: "not a model description (\(describe(error)))")
    } catch {
      throw FourierLensError.badFile(path: path, reason: "not valid JSON (\(error.localizedDescription))")
    }
    try validate(description, file: path)
    return description
  }

  /// Checks the fields every later command relies on.
  public static func validate(_ d: ModelDescription, file: String) throws {
    func bad(_ reason: String) -> FourierLensError { .badFile(path: file, reason: reason) }
    guard d.input.count == 3, d.input.allSatisfy({ $0 > 0 }) else {
      throw bad("'input' must be [C, H, W] with positive entries, got \(d.input)")
    }
    guard d.mean.count == d.input[0], d.std.count == d.input[0] else {
      throw bad("'mean' and 'std' need one entry per input channel (\(d.input[0])), got \(d.mean.count) and \(d.std.count)")
    }
    guard d.std.allSatisfy({ $0 > 0 && $0.isFinite }), d.mean.allSatisfy({ $0.isFinite }) else {
      throw bad("'std' entries must be positive and 'mean' entries finite")
    }
    guard !d.classes.isEmpty else { throw bad("'classes' is empty") }
    guard d.arch == torchScriptArch || TorchArchitecture(rawValue: d.arch) != nil else {
      throw bad(TorchArchitecture.unknownReason(d.arch, alsoKnown: [torchScriptArch]))
    }
  }

  static func describe(_ error: DecodingError) -> String {
    switch error {
    case let .keyNotFound(key, _): return "missing key '\(key.stringValue)'"
    case let .typeMismatch(_, context), let .valueNotFound(_, context):
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return "wrong type at '\(path)'"
    case let .dataCorrupted(context):
      let path = context.codingPath.map(\.stringValue).joined(separator: ".")
      return path.isEmpty ? context.debugDescription : "at '\(path)': \(context.debugDescription)"
    @unknown default: return "\(error)"
    }
  }
}

/// The built-in architectures (see Sources/CTorchShim/fl_torch_nets.hpp).
public enum TorchArchitecture: String, CaseIterable, Sendable {
  /// Three conv–BN–ReLU–pool stages (32, 64, 128 channels) and a linear layer; trains on
  /// CIFAR-10 in minutes on two cores.
  case smallcnn
  /// torchvision's resnet18; CIFAR stem (3×3 conv, no max-pool) below 64×64 inputs.
  case resnet18
  /// torchvision's resnet18 with its ImageNet stem (7×7/2 conv, max-pool) at every input
  /// size (≥ 32×32): what `torchvision.models.resnet18()` is, for importing its weights.
  case resnet18ImageNet = "resnet18-imagenet"
  /// torchvision's vgg11_bn (inputs of at least 32×32).
  case vgg11bn

  /// Every name, in the order help and messages list them.
  public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }

  /// Why `name` is no architecture, listing the known names (and `alsoKnown`, names accepted
  /// beside them where the reason is given).
  public static func unknownReason(_ name: String, alsoKnown: [String] = []) -> String {
    "unknown architecture '\(name)' (known: \((allCases.map(\.rawValue) + alsoKnown).joined(separator: ", ")))"
  }

  /// The architecture called `name`; otherwise an error for `setting` (the option or key the
  /// name came from) that lists the known names.
  public init(parsing name: String, setting: String) throws {
    guard let architecture = Self(rawValue: name) else {
      throw FourierLensError.badOption(name: setting, reason: Self.unknownReason(name))
    }
    self = architecture
  }

  /// Whether oneDNN runs this network faster on channels-last (NHWC) tensors. Measured with
  /// libtorch 1.13 on 2 threads (benchmarks/README.md): smallcnn trains ~15 % faster in NHWC,
  /// resnet18 slightly slower.
  public var prefersChannelsLast: Bool { self == .smallcnn }

  /// The same for a given input [C, H, W]: on large inputs (128×128 grayscale, measured with
  /// `flens bench mask-step --memory-format nchw|nhwc`) smallcnn's thin first layers run
  /// ~20 % faster in NCHW, so channels-last is chosen below 64×64 only.
  public func prefersChannelsLast(input: [Int]) -> Bool {
    prefersChannelsLast && (input.count != 3 || min(input[1], input[2]) < 64)
  }
}
