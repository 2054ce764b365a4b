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
  from safetensors.torch import save_file
  save_file(net.state_dict(), os.path.join(out, "state.safetensors"))
  save_file({k: v.half() if v.is_floating_point() else v for k, v in net.state_dict().items()}, os.path.join(out, "half.safetensors"))
  x = torch.rand(6, 3, 16, 16)
  np.save(os.path.join(out, "x.npy"), x.numpy())
  with torch.no_grad():
      z = Normalized(net, [0.5, 0.45, 0.4], [0.25, 0.2, 0.3]).eval()(x)
  np.save(os.path.join(out, "logits.npy"), z.numpy())
  """#

  static func pytorchExports() throws -> URL {
    let dir = try FlensCLI.temporaryDirectory()
    try PythonScript.run(script, in: dir, arguments: [FlensCLI.packageRoot.appendingPathComponent("benchmarks/train").path, dir.path])
    return dir
  }

  let common = ["--input", "3,16,16", "--mean", "0.5,0.45,0.4", "--std", "0.25,0.2,0.3", "--classes", "5", "--threads", "2"]

  @Test func torchScriptAndStateDictImportsPredictPyTorchsLogits() throws {
    let dir = try Self.pytorchExports()
    defer { try? FileManager.default.removeItem(at: dir) }
    let expected = try NPY.readTensor(dir.appendingPathComponent("logits.npy").path)
    for (name, source) in [("script", ["--torchscript", dir.appendingPathComponent("net.pt").path]),
                           ("state", ["--state-dict", dir.appendingPathComponent("state.pt").path, "--arch", "smallcnn"]),
                           ("ordered", ["--state-dict", dir.appendingPathComponent("ordered.pt").path, "--arch", "smallcnn"]),
                           ("safetensors", ["--state-dict", dir.appendingPathComponent("state.safetensors").path, "--arch", "smallcnn"])] {
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

  /// float16 weights from a .safetensors file load (converted to the model's float32): the
  /// logits agree with PyTorch's to the precision of float16 weights.
  @Test func halfPrecisionSafeTensorsImport() throws {
    let dir = try Self.pytorchExports()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("model-half").path
    let imported = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("half.safetensors").path, "--arch", "smallcnn"]
                                    + common + ["--out", model])
    #expect(imported.exitCode == 0, "\(imported)")
    let logits = dir.appendingPathComponent("logits-half.npy").path
    let predict = try FlensCLI.run(["predict", "--model", model, "--input", dir.appendingPathComponent("x.npy").path, "--out", logits])
    #expect(predict.exitCode == 0, "\(predict)")
    let got = try NPY.readTensor(logits), expected = try NPY.readTensor(dir.appendingPathComponent("logits.npy").path)
    let error = zip(got.data, expected.data).map { abs($0 - $1) }.max() ?? 1
    let scale = expected.data.map(abs).max() ?? 1
    #expect(error < 1e-2 * max(1, scale), "float16 weights: logits differ from PyTorch's by \(error)")
    // A truncated file is refused naming it.
    let truncated = dir.appendingPathComponent("cut.safetensors")
    let bytes = try Data(contentsOf: dir.appendingPathComponent("state.safetensors"))
    try bytes.prefix(bytes.count - 100).write(to: truncated)
    let bad = try FlensCLI.run(["import", "--state-dict", truncated.path, "--arch", "smallcnn"] + common + ["--out", dir.appendingPathComponent("m-bad").path])
    #expect(bad.exitCode == 1 && bad.stderr.contains("cut.safetensors") && bad.stderr.contains("safetensors"), "\(bad)")
  }

  /// torchvision's own resnet18 (7×7/2 stem, max-pool), saved the usual way at 32×32, imports
  /// as `resnet18-imagenet` and predicts torchvision's logits.
  @Test func torchvisionResNet18ImportsAt32x32() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let script = dir.appendingPathComponent("export.py").path
    try #"""
      import os, sys
      import numpy as np, torch, torchvision
      out = sys.argv[1]
      torch.manual_seed(0)
      net = torchvision.models.resnet18(num_classes=4).train()
      with torch.no_grad():
          net(torch.randn(8, 3, 32, 32))  # move BatchNorm statistics
      net.eval()
      torch.save(dict(net.state_dict()), os.path.join(out, "tv.pt"))
      x = torch.rand(3, 3, 32, 32)
      np.save(os.path.join(out, "x.npy"), x.numpy())
      mean, std = torch.tensor([0.5, 0.45, 0.4]).view(1, 3, 1, 1), torch.tensor([0.25, 0.2, 0.3]).view(1, 3, 1, 1)
      with torch.no_grad():
          np.save(os.path.join(out, "logits.npy"), net((x - mean) / std).numpy())
      """#.write(toFile: script, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: FlensCLI.python)
    process.arguments = [script, dir.path]
    try process.run()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "\(FlensCLI.python) with torch and torchvision is needed")
    let stateDict = dir.appendingPathComponent("tv.pt").path
    let options = ["--input", "3,32,32", "--mean", "0.5,0.45,0.4", "--std", "0.25,0.2,0.3", "--classes", "a,b,c,d"]
    // The default resnet18 takes the CIFAR stem at 32×32 and refuses torchvision's weights.
    let cifar = try FlensCLI.run(["import", "--state-dict", stateDict, "--arch", "resnet18"] + options + ["--out", dir.appendingPathComponent("m1").path])
    #expect(cifar.exitCode == 1 && cifar.stderr.contains("tv.pt"), "\(cifar)")
    let model = dir.appendingPathComponent("m2").path
    let imported = try FlensCLI.run(["import", "--state-dict", stateDict, "--arch", "resnet18-imagenet"] + options + ["--out", model])
    #expect(imported.exitCode == 0, "\(imported)")
    let logits = dir.appendingPathComponent("z.npy").path
    let predict = try FlensCLI.run(["predict", "--model", model, "--input", dir.appendingPathComponent("x.npy").path, "--out", logits])
    #expect(predict.exitCode == 0, "\(predict)")
    let got = try NPY.readTensor(logits), expected = try NPY.readTensor(dir.appendingPathComponent("logits.npy").path)
    #expect(got.shape == [3, 4])
    let error = zip(got.data, expected.data).map { abs($0 - $1) }.max() ?? 1
    #expect(error < 1e-4, "logits differ from torchvision's by \(error)")
  }

  @Test func badImportsExitOneNamingTheProblem() throws {
    let dir = try Self.pytorchExports()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("m").path
    let notADict = dir.appendingPathComponent("x.npy").path
    let wrongFile = try FlensCLI.run(["import", "--state-dict", notADict, "--arch", "smallcnn"] + common + ["--out", out])
    #expect(wrongFile.exitCode == 1 && wrongFile.stderr.contains("x.npy") && wrongFile.stderr.contains("state dict"), "\(wrongFile)")
    #expect(wrongFile.stderr.split(separator: "\n").count == 1)

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
