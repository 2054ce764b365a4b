import Foundation
import FourierLens
import Testing

/// `flens bench`: every workload runs end to end on a tiny input and reports its figures as
/// positive finite numbers. No timing is asserted (the machine is shared).
@Suite struct BenchCommandTests {
  static func positive(_ json: [String: Any], _ key: String) -> Bool {
    guard let v = (json[key] as? NSNumber)?.doubleValue else { return false }
    return v.isFinite && v > 0
  }

  static let common = ["--batch", "3", "--steps", "2", "--warmup", "1", "--threads", "1", "--json"]

  @Test(arguments: ["mask-step", "attack-step", "train-step", "masked-forward"])
  func modelWorkloadsReportThroughput(workload: String) throws {
    var args = ["bench", workload, "--arch", "smallcnn", "--input", "1,8,8"] + Self.common
    if workload == "attack-step" { args += ["--attack", "pgd-linf:eps=0.03,steps=2"] }
    let run = try FlensCLI.run(args)
    #expect(run.exitCode == 0, "\(run)")
    let json = try #require(run.json, "stdout is one JSON object: \(run)")
    for key in ["images_per_s", "seconds_per_step", "cpu_seconds_per_image", "peak_rss_bytes", "gflops", "model_gflop_per_image"] {
      #expect(Self.positive(json, key), "\(key) in \(json)")
    }
    #expect(json["workload"] as? String == workload)
    #expect(json["arch"] as? String == "smallcnn")
    #expect(json["input"] as? [Int] == [1, 8, 8])
    if workload == "mask-step" {
      #expect(Self.positive(json, "frequency_seconds_per_step"))
      let fraction = try #require((json["frequency_fraction"] as? NSNumber)?.doubleValue)
      #expect(fraction > 0 && fraction.isFinite)
      #expect(Self.positive(json, "final_loss"))
    }
    if workload == "attack-step" { #expect(json["gradient_calls"] as? Int == 2) }
    if workload == "masked-forward" {
      // smallcnn on 1×8×8 with 10 classes, counted by hand: three 3×3 convolutions (1→32 on
      // 8×8, 32→64 on 4×4, 64→128 on 2×2) and a linear layer 512→10, 2 FLOPs per multiply-add.
      let macs = 8 * 8 * 32 * 9 + 4 * 4 * 64 * 32 * 9 + 2 * 2 * 128 * 64 * 9 + 512 * 10
      #expect((json["model_gflop_per_image"] as? NSNumber)?.doubleValue == Double(2 * macs) / 1e9)
    }
  }

  @Test func fftReportsThroughputAndDumpsItsResult() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let run = try FlensCLI.run(["bench", "fft", "--input", "2,8,6", "--dump", dir.path] + Self.common)
    #expect(run.exitCode == 0, "\(run)")
    let json = try #require(run.json)
    for key in ["images_per_s", "seconds_per_step", "peak_rss_bytes", "gflops"] { #expect(Self.positive(json, key), "\(key)") }
    // The dumped result is the mask operator's: an all-ones mask would return the input; this
    // one is random in [0, 1], so check shapes and that the adjoint is consistent:
    // ⟨A(x), g⟩ = Σ_k M(k)·∂⟨A(x), g⟩/∂M(k) since A is linear in M.
    let x = try NPY.readTensor(dir.appendingPathComponent("images.npy").path)
    let g = try NPY.readTensor(dir.appendingPathComponent("output_gradient.npy").path)
    let m = try NPY.readTensor(dir.appendingPathComponent("mask.npy").path)
    let y = try NPY.readTensor(dir.appendingPathComponent("masked.npy").path)
    let dm = try NPY.readTensor(dir.appendingPathComponent("mask_gradient.npy").path)
    #expect(x.shape == [3, 2, 8, 6] && y.shape == x.shape && m.shape == [8, 6] && dm.shape == [8, 6])
    let lhs = zip(y.data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    let rhs = zip(m.data, dm.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    #expect(abs(lhs - rhs) <= 1e-3 * max(1, abs(lhs)), "\(lhs) vs \(rhs)")
  }

  @Test func maskStepDumpsTheBatchTheModelAndTheGradient() throws {
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let model = dir.appendingPathComponent("model").path
    let dump = dir.appendingPathComponent("dump").path
    let run = try FlensCLI.run(["bench", "mask-step", "--arch", "smallcnn", "--input", "1,8,8", "--save-model", model,
                                "--dump", dump] + Self.common)
    #expect(run.exitCode == 0, "\(run)")
    #expect(FileManager.default.fileExists(atPath: model + "/model.json"))
    #expect(try NPY.readTensor(dump + "/images.npy").shape == [3, 1, 8, 8])
    let gradient = try NPY.readTensor(dump + "/theta_gradient.npy")
    #expect(gradient.shape == [64] && gradient.isFinite)
    // The saved model runs the same workload.
    let again = try FlensCLI.run(["bench", "masked-forward", "--model", model] + Self.common)
    #expect(again.exitCode == 0, "\(again)")
    #expect(again.json?["arch"] as? String == "smallcnn")
  }

  @Test func gemmReportsThePeak() throws {
    let run = try FlensCLI.run(["bench", "gemm", "--steps", "1", "--warmup", "0", "--threads", "1", "--json"])
    #expect(run.exitCode == 0, "\(run)")
    let json = try #require(run.json)
    #expect(Self.positive(json, "gflops") && Self.positive(json, "peak_rss_bytes"))
    #expect((json["blas"] as? String)?.isEmpty == false)
  }

  @Test func badWorkloadsAndOptionsFailWithAMessage() throws {
    let a = try FlensCLI.run(["bench", "sprint", "--json"])
    #expect(a.exitCode == 1 && a.stderr.contains("sprint") && a.stdout.isEmpty, "\(a)")
    let b = try FlensCLI.run(["bench", "fft", "--input", "3,x,4"])
    #expect(b.exitCode == 1 && b.stderr.contains("--input"), "\(b)")
    let c = try FlensCLI.run(["bench", "mask-step", "--arch", "lenet"])
    #expect(c.exitCode == 1 && c.stderr.contains("--arch"), "\(c)")
  }
}
