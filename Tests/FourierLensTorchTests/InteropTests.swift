import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// Models move between PyTorch (the project venv's torch 2.15) and FourierLens in both directions:
/// FourierLens weights load into the PyTorch reference modules by name
/// (benchmarks/train/reference_models.py), and PyTorch's TorchScript exports and state
/// dicts load into FourierLens; logits and input gradients agree.
///
/// Needs the project's Python, `.venv/bin/python` with torch and numpy (scripts/install-deps.sh
/// installs it; FLENS_PYTHON names another); without it the test fails.
@Suite struct InteropTests {
  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
  static let python = ProcessInfo.processInfo.environment["FLENS_PYTHON"] ?? (packageRoot + "/.venv/bin/python")

  struct Case: Codable {
    var name: String
    var arch: String
    var input: [Int]
    var classes: Int
    var mean: [Float]
    var std: [Float]
    var seed: Int
    /// false: compare parameter names only (vgg11bn's 530 MB of weights are not worth writing).
    var numeric: Bool
  }

  static let cases = [
    Case(name: "smallcnn", arch: "smallcnn", input: [3, 16, 16], classes: 4, mean: [0.49, 0.48, 0.45], std: [0.25, 0.24, 0.26], seed: 1, numeric: true),
    Case(name: "resnet18-cifar", arch: "resnet18", input: [2, 32, 32], classes: 3, mean: [0.5, 0.4], std: [0.2, 0.3], seed: 2, numeric: true),
    Case(name: "resnet18-imagenet", arch: "resnet18", input: [3, 64, 64], classes: 5, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], seed: 3, numeric: true),
    Case(name: "vgg11bn", arch: "vgg11bn", input: [3, 32, 32], classes: 10, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], seed: 4, numeric: false),
  ]

  /// The PyTorch side: loads FourierLens weights into the reference modules and exports a
  /// PyTorch-initialised model as TorchScript and as a state dict, with logits and the
  /// input gradient of the batch-mean cross-entropy for each.
  static let script = #"""
  import json, os, sys
  import numpy as np
  import torch
  import torch.nn.functional as F
  sys.path.insert(0, sys.argv[1])
  from reference_models import build, Normalized
  torch.set_num_threads(2)
  work = sys.argv[2]
  names = {}
  for case in json.load(open(os.path.join(work, "cases.json"))):
      c, h, w = case["input"]
      k = case["classes"]
      d = os.path.join(work, case["name"])
      net = build(case["arch"], c, k, h, w)
      names[case["name"]] = [[n, list(t.shape)] for n, t in net.state_dict().items()]
      if not case["numeric"]:
          continue
      x = torch.from_numpy(np.load(os.path.join(d, "x.npy")))
      y = torch.from_numpy(np.load(os.path.join(d, "y.npy")).astype(np.int64))

      def logits_and_gradient(model, prefix):
          xx = x.clone().requires_grad_(True)
          z = model(xx)
          g, = torch.autograd.grad(F.cross_entropy(z, y), xx)
          np.save(os.path.join(d, prefix + "_logits.npy"), z.detach().numpy())
          np.save(os.path.join(d, prefix + "_gradient.npy"), g.numpy())

      # FourierLens -> PyTorch: our weights.pt is a plain dict that torch.load reads.
      state = torch.load(os.path.join(d, "ours", "weights.pt"))
      assert type(state) is dict, type(state)
      net.load_state_dict(state, strict=True)
      logits_and_gradient(Normalized(net, case["mean"], case["std"]).eval(), "ours")

      # PyTorch -> FourierLens, with BatchNorm statistics away from their initial values.
      torch.manual_seed(case["seed"])
      theirs = build(case["arch"], c, k, h, w).train()
      with torch.no_grad():
          for _ in range(3):
              theirs(torch.randn(8, c, h, w) * 1.5 + 0.3)
      theirs.eval()
      torch.jit.trace(theirs, torch.randn(2, c, h, w)).save(os.path.join(d, "theirs_script.pt"))
      torch.save(dict(theirs.state_dict()), os.path.join(d, "theirs_state.pt"))
      torch.save(theirs.state_dict(), os.path.join(d, "theirs_ordered.pt"))
      logits_and_gradient(Normalized(theirs, case["mean"], case["std"]).eval(), "theirs")
  json.dump(names, open(os.path.join(work, "names.json"), "w"))
  """#

  static func runPython(_ work: String) throws {
    let scriptPath = (work as NSString).appendingPathComponent("interop.py")
    try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = [scriptPath, packageRoot + "/benchmarks/train", work]
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FourierLensError.message("\(python) (with torch and numpy) failed: \(String(decoding: stderr, as: UTF8.self).suffix(2000))")
    }
  }

  @Test func pytorchAndFourierLensAgreeOnNamesLogitsAndGradients() throws {
    let work = Fixtures.temporaryDirectory("interop")
    defer { try? FileManager.default.removeItem(atPath: work) }
    var ours: [String: TorchModel] = [:]
    var inputs: [String: (Tensor, [Int])] = [:]
    for c in Self.cases where c.numeric {
      let dir = (work as NSString).appendingPathComponent(c.name)
      let model = try TorchModel.create(architecture: TorchArchitecture(rawValue: c.arch)!, input: c.input, mean: c.mean, std: c.std,
                                        classes: (0 ..< c.classes).map { "k\($0)" }, seed: UInt64(c.seed) + 100)
      try model.save(to: dir + "/ours")
      let x = Fixtures.randomImages([4] + c.input, seed: UInt64(c.seed))
      let y = (0 ..< 4).map { $0 % c.classes }
      try NPY.write(x, to: dir + "/x.npy")
      try NPY.write(ints: y, shape: [4], to: dir + "/y.npy")
      ours[c.name] = model
      inputs[c.name] = (x, y)
    }
    let encoder = JSONEncoder()
    try AtomicFile.write(encoder.encode(Self.cases), to: work + "/cases.json")
    try Self.runPython(work)

    // Names and shapes, in state_dict order, for every architecture.
    let names = try JSONDecoder().decode([String: [[JSONValueOrInts]]].self,
                                         from: Data(contentsOf: URL(fileURLWithPath: work + "/names.json")))
    for c in Self.cases {
      let model = try ours[c.name] ?? TorchModel.create(
        architecture: TorchArchitecture(rawValue: c.arch)!, input: c.input, mean: c.mean, std: c.std,
        classes: (0 ..< c.classes).map { "k\($0)" }, seed: 1)
      let mine = try model.stateEntries().map { "\($0.name) \($0.shape)" }
      let theirs = try #require(names[c.name]).map { "\($0[0].string) \($0[1].ints)" }
      #expect(mine == theirs, "\(c.name): state dict names or shapes differ")
    }

    for c in Self.cases where c.numeric {
      let dir = (work as NSString).appendingPathComponent(c.name)
      let (x, y) = inputs[c.name]!
      func compare(_ model: TorchModel, _ prefix: String, _ what: String) throws {
        let logits = try NPY.readTensor(dir + "/\(prefix)_logits.npy").data
        let gradient = try NPY.readTensor(dir + "/\(prefix)_gradient.npy").data
        let r = try model.lossAndGradient(x, objective: .crossEntropy(labels: y))
        let logitError = maxAbsDifference(r.logits, logits)
        #expect(logitError < 1e-4, "\(c.name) \(what): logits differ by \(logitError)")
        let scale = gradient.reduce(0) { max($0, abs($1)) }
        let gradientError = maxAbsDifference(r.inputGradient.data, gradient)
        #expect(scale > 0 && gradientError < 1e-4 * scale, "\(c.name) \(what): gradients differ by \(gradientError) (largest entry \(scale))")
      }
      // PyTorch runs the plain layers; so does this comparison. (The default evaluation path
      // folds BatchNorm into the convolutions: the same function, but float32 rounding in
      // another order can flip a ReLU at its kink and move single gradient entries;
      // OptimizedPathTests checks folded against plain in float64.)
      try ours[c.name]!.setFoldsBatchNorm(false)
      try compare(ours[c.name]!, "ours", "FourierLens weights run in PyTorch")
      try ours[c.name]!.setFoldsBatchNorm(true)

      let description = ModelDescription(arch: "torchscript", input: c.input, mean: c.mean, std: c.std,
                                         classes: (0 ..< c.classes).map { "k\($0)" })
      let script = try TorchModel.importTorchScript(file: dir + "/theirs_script.pt", description: description)
      try compare(script, "theirs", "TorchScript import")
      // An imported TorchScript model survives its own save and load.
      try script.save(to: dir + "/script-model")
      try compare(TorchModel.load(from: dir + "/script-model"), "theirs", "saved TorchScript model")

      let imported = try TorchModel.create(architecture: TorchArchitecture(rawValue: c.arch)!, input: c.input, mean: c.mean, std: c.std,
                                           classes: (0 ..< c.classes).map { "k\($0)" }, seed: 999)
      try imported.loadStateDict(file: dir + "/theirs_state.pt")
      try compare(imported, "theirs", "state dict import")

      // `torch.save(model.state_dict(), path)`, the OrderedDict most people save, loads too.
      let ordered = try TorchModel.create(architecture: TorchArchitecture(rawValue: c.arch)!, input: c.input, mean: c.mean, std: c.std,
                                          classes: (0 ..< c.classes).map { "k\($0)" }, seed: 998)
      try ordered.loadStateDict(file: dir + "/theirs_ordered.pt")
      try compare(ordered, "theirs", "OrderedDict state dict import")
    }
  }

  @Test func wrongTorchScriptInputsAreClearErrors() throws {
    let work = Fixtures.temporaryDirectory("interop-bad")
    let garbage = work + "/garbage.pt"
    try Data("not a zip archive".utf8).write(to: URL(fileURLWithPath: garbage))
    let description = ModelDescription(arch: "torchscript", input: [3, 8, 8], mean: [0, 0, 0], std: [1, 1, 1], classes: ["a", "b"])
    do {
      _ = try TorchModel.importTorchScript(file: garbage, description: description)
      Issue.record("garbage loaded as TorchScript")
    } catch let FourierLensError.badFile(path, _) {
      #expect(path == garbage)
    }
    #expect(throws: FourierLensError.self) { _ = try TorchModel.importTorchScript(file: work + "/missing.pt", description: description) }
    let model = try Fixtures.smallModel()
    do {
      try model.loadStateDict(file: garbage)
      Issue.record("garbage loaded as a state dict")
    } catch let FourierLensError.badFile(path, _) {
      #expect(path == garbage)
    }
  }
}

/// A JSON value that is a string or a list of integers (the Python side's [name, shape] pairs).
enum JSONValueOrInts: Decodable {
  case string(String)
  case ints([Int])

  init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let s = try? c.decode(String.self) { self = .string(s) } else { self = .ints(try c.decode([Int].self)) }
  }

  var string: String { if case let .string(s) = self { return s } else { return "" } }
  var ints: [Int] { if case let .ints(v) = self { return v } else { return [] } }
}
