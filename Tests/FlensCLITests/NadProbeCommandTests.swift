import Foundation
import FourierLens
import Testing

/// `nad` through the command line: in an experiment file (trained fresh for a built-in
/// model's architecture; the report shows the map), and refused in one line for a
/// TorchScript model, which has no architecture to train afresh.
@Suite struct NadProbeCommandTests {
  /// 8 images of 1×16×16 and a smallcnn trained on them for one epoch.
  static func smallCNNFixture() throws -> (LinearModelFixture, String) {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 8)
    let model = fixture.directory.appendingPathComponent("smallcnn").path
    let trained = try FlensCLI.run(["train", "--arch", "smallcnn", "--data", fixture.data, "--epochs", "1", "--batch", "8",
                                    "--threads", "1", "--out", model])
    guard trained.exitCode == 0 else { throw FourierLensError.message("training failed: \(trained)") }
    return (fixture, model)
  }

  @Test func experimentRunsTheProbeAndTheReportShowsTheMap() throws {
    let (fixture, model) = try Self.smallCNNFixture()
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "nad", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"cnn": {"path": "\#(model)"}, "copy": {"path": "\#(model)"}},"#
      .appending(#" "masks": {"epochs": 1, "images": 4, "lambda": 0.02}, "probes": {"run": ["nad:grid=2,epochs=1,train=16,test=16,batch=8"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let map = try NPY.readTensor(out + "/probes/cnn/nad.accuracy.npy")
    #expect(map.shape == [2, 2] && map.data.allSatisfy { (0...1).contains($0) })
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/probes/cnn/nad.json"))) as? [String: Any]
    #expect(json?["architecture"] as? String == "smallcnn" && json?["freq_y"] as? [Double] == [-8, 0] && json?["networks"] as? Double == 4)
    let html = try String(contentsOfFile: out + "/report/index.html", encoding: .utf8)
    #expect(html.contains("Neural anisotropy directions") && html.contains("figures/nad-cnn.svg"))
    // The map depends only on the architecture: trained once, the same files for the second smallcnn.
    #expect(run.stderr.contains("probes copy: nad as for the first smallcnn model"), "\(run.stderr)")
    #expect(run.stderr.components(separatedBy: "nad smallcnn: 4/4").count >= 2 && !run.stderr.contains("probes cnn: nad as for"), "\(run.stderr)")
    for file in ["nad.json", "nad.csv", "nad.accuracy.npy"] {
      let a = FileManager.default.contents(atPath: out + "/probes/cnn/" + file)
      #expect(a != nil && a == FileManager.default.contents(atPath: out + "/probes/copy/" + file), "\(file)")
    }
  }

  /// Two `nad` specs in one experiment: each writes under its options, and each is trained
  /// once per architecture (the second model of the same architecture reuses both).
  @Test func twoSpecsAreEachTrainedOncePerArchitecture() throws {
    let (fixture, model) = try Self.smallCNNFixture()
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let file = fixture.directory.appendingPathComponent("experiment.json")
    try #"{"name": "nad2", "threads": 1, "data": {"path": "\#(fixture.data)"}, "models": {"cnn": {"path": "\#(model)"}, "copy": {"path": "\#(model)"}},"#
      .appending(#" "masks": {"epochs": 1, "images": 4, "lambda": 0.02}, "probes": {"run": ["nad:grid=2,epochs=1,train=16,test=16,batch=8", "nad:grid=2,epochs=1,train=16,test=16,batch=8,sigma=1"]}}"#)
      .write(to: file, atomically: true, encoding: .utf8)
    let out = fixture.directory.appendingPathComponent("run").path
    let run = try FlensCLI.run(["run", file.path, "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    for stem in ["nad_grid=2,epochs=1,train=16,test=16,batch=8", "nad_grid=2,epochs=1,train=16,test=16,batch=8,sigma=1"] {
      #expect(run.stderr.contains("probes copy: \(stem) as for the first smallcnn model"), "\(stem): \(run.stderr)")
      let a = FileManager.default.contents(atPath: out + "/probes/cnn/\(stem).accuracy.npy")
      #expect(a != nil && a == FileManager.default.contents(atPath: out + "/probes/copy/\(stem).accuracy.npy"), "\(stem)")
    }
  }

  @Test func torchScriptModelIsAOneLineError() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 8, 8], count: 2)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let run = try FlensCLI.run(["probe", "--model", fixture.model, "--data", fixture.data, "--probe", "nad:grid=2",
                                "--out", fixture.directory.appendingPathComponent("bad").path])
    #expect(run.exitCode == 1, "\(run)")
    #expect(run.stderr.split(separator: "\n").count == 1 && run.stderr.contains("--probe nad") && run.stderr.contains("torchscript"), "\(run.stderr)")
  }
}
