import Foundation
import FourierLens
import Testing

/// `flens import` of PyTorch exports made by the project venv's torch 2.15 (`.venv/bin/python`, or FLENS_PYTHON) (required: the test
/// fails without it), checked through `flens predict` against PyTorch's own logits.
@Suite struct ImportCommandTests {
  static let script = #"""
  import os, sys
  import numpy as np
  import torch
  sys.path.insert(0, sys.argv[1])
  from reference_models import build, Normalized
  out = sys.argv[2]
  torch.manual_seed(0)
  net = build("smallcnn", 3, 5, 16, 16).train()
  with torch.no_grad():
      net(torch.rand(16, 3, 16, 16) * 2 - 0.5)  # move BatchNorm statistics
  net.eval()
  torch.jit.trace(net, torch.rand(2, 3, 16, 16)).save(os.path.join(out, "net.pt"))
  torch.save(dict(net.state_dict()), os.path.join(out, "state.pt"))
  torch.save(net.state_dict(), os.path.join(out, "ordered.pt"))
  x = torch.rand(6, 3, 16, 16)
  np.save(os.path.join(out, "x.npy"), x.numpy())
  with torch.no_grad():
      z = Normalized(net, [0.5, 0.45, 0.4], [0.25, 0.2, 0.3]).eval()(x)
  np.save(os.path.join(out, "logits.npy"), z.numpy())
  """#

  static func pytorchExports() throws -> URL {
    let dir = try FlensCLI.temporaryDirectory()
    let scriptPath = dir.appendingPathComponent("export.py").path
    try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FlensCLI.python)
    process.arguments = [scriptPath, FlensCLI.packageRoot.appendingPathComponent("benchmarks/train").path, dir.path]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FourierLensError.message("\(FlensCLI.python) with torch and numpy is needed: \(String(decoding: stderr, as: UTF8.self).suffix(1500))")
    }
    return dir
  }

  let common = ["--input", "3,16,16", "--mean", "0.5,0.45,0.4", "--std", "0.25,0.2,0.3", "--classes", "5", "--threads", "2"]

  @Test func torchScriptAndStateDictImportsPredictPyTorchsLogits() throws {
    let dir = try Self.pytorchExports()
    defer { try? FileManager.default.removeItem(at: dir) }
    let expected = try NPY.readTensor(dir.appendingPathComponent("logits.npy").path)
    for (name, source) in [("script", ["--torchscript", dir.appendingPathComponent("net.pt").path]),
                           ("state", ["--state-dict", dir.appendingPathComponent("state.pt").path, "--arch", "smallcnn"])] {
      let model = dir.appendingPathComponent("model-\(name)").path
      let imported = try FlensCLI.run(["import"] + source + common + ["--out", model, "--json"])
      #expect(imported.exitCode == 0, "\(imported)")
      #expect(imported.json?["classes"] as? [String] == ["0", "1", "2", "3", "4"])
      #expect(imported.json?["arch"] as? String == (name == "script" ? "torchscript" : "smallcnn"))
      let logits = dir.appendingPathComponent("logits-\(name).npy").path
      let predict = try FlensCLI.run(["predict", "--model", model, "--input", dir.appendingPathComponent("x.npy").path, "--out", logits])
      #expect(predict.exitCode == 0, "\(predict)")
      let got = try NPY.readTensor(logits)
      #expect(got.shape == [6, 5])
      let error = zip(got.data, expected.data).map { abs($0 - $1) }.max() ?? 1
      #expect(error < 1e-4, "\(name): logits differ from PyTorch's by \(error)")
    }
  }

  @Test func badImportsExitOneNamingTheProblem() throws {
    let dir = try Self.pytorchExports()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m").path
    let ordered = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("ordered.pt").path, "--arch", "smallcnn"] + common + ["--out", out])
    #expect(ordered.exitCode == 1 && ordered.stderr.contains("ordered.pt") && ordered.stderr.contains("dict(model.state_dict())"), "\(ordered)")
    #expect(ordered.stderr.split(separator: "\n").count == 1)

    let wrongArch = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("state.pt").path, "--arch", "resnet18"] + common + ["--out", out])
    #expect(wrongArch.exitCode == 1 && wrongArch.stderr.contains("state.pt"), "\(wrongArch)")

    let noArch = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("state.pt").path] + common + ["--out", out])
    #expect(noArch.exitCode == 1 && noArch.stderr.contains("--arch"), "\(noArch)")

    let wrongShape = try FlensCLI.run(["import", "--torchscript", dir.appendingPathComponent("net.pt").path, "--input", "3,16,16",
                                       "--mean", "0.5,0.45,0.4", "--std", "0.25,0.2,0.3", "--classes", "7", "--out", out])
    #expect(wrongShape.exitCode == 1 && wrongShape.stderr.contains("net.pt"), "\(wrongShape)")

    let badMean = try FlensCLI.run(["import", "--torchscript", dir.appendingPathComponent("net.pt").path, "--input", "3,16,16",
                                    "--mean", "0.5", "--std", "0.25,0.2,0.3", "--classes", "5", "--out", out])
    #expect(badMean.exitCode == 1 && badMean.stderr.contains("--mean"), "\(badMean)")
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
