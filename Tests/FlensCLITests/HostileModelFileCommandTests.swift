import Foundation
import FourierLens
import Testing

/// Model files a user may be handed, made by the project venv's torch 2.15: zero-element
/// tensors (in a state dict, a safetensors file and a TorchScript module) and state dicts whose
/// tensors reach outside their storage (negative sizes and strides, sizes whose bounds overflow
/// 64 bits). `flens import` never crashes on them: each is either imported or refused with
/// one line naming the file (and, for a bad tensor, the tensor).
@Suite struct HostileModelFileCommandTests {
  static let script = #"""
  import collections, io, os, pickle, sys, zipfile
  import torch
  sys.path.insert(0, sys.argv[1])
  from reference_models import build
  out = sys.argv[2]
  torch.manual_seed(0)
  net = build("smallcnn", 3, 5, 16, 16).eval()
  state = net.state_dict()
  last = list(state)[-1]

  # Zero-element tensors: one in place of a real one, and one beside all of them.
  from safetensors.torch import save_file
  replaced = collections.OrderedDict(state); replaced[last] = torch.empty(0)
  extra = collections.OrderedDict(state); extra["nothing"] = torch.empty(0, 3)
  torch.save(replaced, os.path.join(out, "zero-replaced.pt"))
  torch.save(extra, os.path.join(out, "zero-extra.pt"))
  torch.save({"nothing": torch.empty(0)}, os.path.join(out, "zero-only.pt"))
  save_file(dict(replaced), os.path.join(out, "zero-replaced.safetensors"))
  save_file(dict(extra), os.path.join(out, "zero-extra.safetensors"))
  save_file({"nothing": torch.empty(0)}, os.path.join(out, "zero-only.safetensors"))

  # A TorchScript module with a zero-element buffer and parameter.
  class WithEmpty(torch.nn.Module):
      def __init__(self):
          super().__init__()
          self.net = net
          self.register_buffer("nothing", torch.empty(0))
          self.empty_weight = torch.nn.Parameter(torch.empty(0, 4))
      def forward(self, x):
          return self.net(x) + self.nothing.sum() + self.empty_weight.sum()
  torch.jit.script(WithEmpty()).save(os.path.join(out, "zero-script.pt"))

  # Tensors that reach outside their storage of 4 floats: a storage and a view written by hand,
  # as torch.save lays them out (a zip of stored records, the pickle in data.pkl).
  class Storage: pass
  class View:
      def __init__(self, offset, size, stride):
          self.args = (offset, size, stride)
      def __reduce__(self):
          offset, size, stride = self.args
          return (torch._utils._rebuild_tensor_v2, (Storage(), offset, size, stride, False, collections.OrderedDict()))
  class Pickler(pickle.Pickler):
      def persistent_id(self, obj):
          return ("storage", torch.FloatStorage, "0", "cpu", 4) if isinstance(obj, Storage) else None
  def hostile(name, offset, size, stride):
      buffer = io.BytesIO()
      Pickler(buffer, protocol=2).dump({"w": View(offset, size, stride)})
      with zipfile.ZipFile(os.path.join(out, name + ".pt"), "w", zipfile.ZIP_STORED) as z:
          z.writestr("archive/data.pkl", buffer.getvalue())
          z.writestr("archive/byteorder", "little")
          z.writestr("archive/data/0", bytes(16))
          z.writestr("archive/version", "3\n")
  hostile("negative-size", 0, (-3,), (1,))
  hostile("negative-stride", 3, (4,), (-1,))
  hostile("overflowing-size", 0, (2**62,), (4,))
  hostile("overflowing-stride", 0, (2, 2), (2**62, 2**62))
  hostile("outside", 2, (3,), (1,))
  hostile("expanded", 0, (2**40,), (0,))
  hostile("fine", 1, (3,), (1,))  # inside: the reader's checks are not too strict
  """#

  let common = ["--input", "3,16,16", "--mean", "0.5,0.45,0.4", "--std", "0.25,0.2,0.3", "--classes", "5", "--threads", "1"]

  static func files() throws -> URL {
    let dir = try FlensCLI.temporaryDirectory()
    try PythonScript.run(script, in: dir, arguments: [FlensCLI.packageRoot.appendingPathComponent("benchmarks/train").path, dir.path])
    return dir
  }

  /// One line on stderr, exit status 1, naming `file` and each of `words`.
  func expectRefused(_ r: FlensCLI.Output, naming file: String, _ words: [String]) {
    let line = r.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
    #expect(r.exitCode == 1, "\(file): \(r)")
    #expect(!line.contains("\n") && line.contains(file) && words.allSatisfy(line.contains), "\(file): \(line)")
  }

  @Test func zeroElementTensorsAreImportedOrRefusedNamingTheTensor() throws {
    let dir = try Self.files()
    defer { try? FileManager.default.removeItem(at: dir) }
    for ext in ["pt", "safetensors"] {
      for (name, words) in [("zero-replaced", ["wrong shape"]), ("zero-extra", ["nothing"]), ("zero-only", ["missing"])] {
        let file = "\(name).\(ext)"
        let r = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent(file).path, "--arch", "smallcnn"] + common
                                 + ["--out", dir.appendingPathComponent("m-\(file)").path])
        expectRefused(r, naming: file, words)
      }
    }
    let model = dir.appendingPathComponent("m-script").path
    let imported = try FlensCLI.run(["import", "--torchscript", dir.appendingPathComponent("zero-script.pt").path] + common + ["--out", model])
    #expect(imported.exitCode == 0, "\(imported)")
    let info = try FlensCLI.run(["info", "--model", model, "--json"])
    #expect(info.exitCode == 0, "\(info)")
  }

  @Test func tensorsOutsideTheirStorageAreRefusedNamingFileAndTensor() throws {
    let dir = try Self.files()
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, words) in [("negative-size", ["negative size -3"]), ("negative-stride", ["negative stride -1"]),
                          ("overflowing-size", ["64-bit"]), ("overflowing-stride", ["64-bit"]),
                          ("outside", ["reaches element 4", "holds 4"]), ("expanded", ["more than its storage"])] {
      let r = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("\(name).pt").path, "--arch", "smallcnn"] + common
                               + ["--out", dir.appendingPathComponent("m-\(name)").path])
      expectRefused(r, naming: "\(name).pt", ["tensor 'w'"] + words)
    }
    // A tensor inside its storage gets past the reader to the architecture's names.
    let fine = try FlensCLI.run(["import", "--state-dict", dir.appendingPathComponent("fine.pt").path, "--arch", "smallcnn"] + common
                                + ["--out", dir.appendingPathComponent("m-fine").path])
    expectRefused(fine, naming: "fine.pt", ["missing tensors"])
  }
}
