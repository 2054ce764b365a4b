import Foundation
import FourierLens
import Testing

/// The bundled `deepfool` attack through `flens attack` on a linear two-class model made by
/// PyTorch and imported as TorchScript: DeepFool's first step is exact for a linear model,
/// so every image's perturbation is analytic — (1 + overshoot)(|w·x + b|/‖w‖₂ + 10⁻⁴) along
/// w for L2, and (1 + overshoot)(|w·x + b|/‖w‖₁ + 10⁻⁴)·sign(w) for L∞.
@Suite struct DeepFoolCommandTests {
  static func perturbations(_ out: String) throws -> (delta: [[Double]], summary: [String: Any]) {
    let clean = try NPY.readTensor(out + "/clean.npy"), adversarial = try NPY.readTensor(out + "/adversarial.npy")
    let n = clean.shape[0], d = clean.strideOfFirstDimension
    let delta = (0..<n).map { i in (0..<d).map { Double(adversarial.data[i * d + $0]) - Double(clean.data[i * d + $0]) } }
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/summary.json"))) as? [String: Any]
    return (delta, summary ?? [:])
  }

  @Test func l2PerturbationIsTheAnalyticMarginAlongW() throws {
    let fixture = try LinearModelFixture.make(shape: [3, 8, 8], count: 8)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let out = fixture.directory.appendingPathComponent("l2").path
    let run = try FlensCLI.run(["attack", "--model", fixture.model, "--data", fixture.data, "--attack", "deepfool:norm=l2",
                                "--threads", "1", "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let (delta, summary) = try Self.perturbations(out)
    #expect(summary["clean_accuracy"] as? Double == 1)
    #expect(summary["adversarial_accuracy"] as? Double == 0, "every image crosses the boundary")
    for (i, f) in fixture.decisionValues.enumerated() {
      let expected = 1.02 * (abs(f) / fixture.l2Norm + 1e-4)
      let norm = delta[i].reduce(0) { $0 + $1 * $1 }.squareRoot()
      #expect(abs(norm - expected) <= 1e-3 * expected + 1e-6, "image \(i): ‖δ‖₂ = \(norm), analytic \(expected)")
      // The step is along −sign(f)·w: straight at the boundary.
      let along = zip(delta[i], fixture.weights).reduce(0) { $0 + $1.0 * $1.1 } / (norm * fixture.l2Norm)
      #expect(along * (f > 0 ? -1 : 1) > 0.9999, "image \(i): cosine with w \(along)")
    }
  }

  @Test func linfPerturbationIsTheAnalyticMarginAlongSignW() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 16, 16], count: 8)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    let out = fixture.directory.appendingPathComponent("linf").path
    let run = try FlensCLI.run(["attack", "--model", fixture.model, "--data", fixture.data,
                                "--attack", "deepfool:norm=linf,overshoot=0.05,steps=20,candidates=2", "--threads", "1", "--out", out])
    #expect(run.exitCode == 0, "\(run)")
    let (delta, summary) = try Self.perturbations(out)
    #expect(summary["adversarial_accuracy"] as? Double == 0)
    for (i, f) in fixture.decisionValues.enumerated() {
      let expected = 1.05 * (abs(f) / fixture.l1Norm + 1e-4)
      for (j, v) in delta[i].enumerated() where fixture.weights[j] != 0 {
        // Every pixel moves by the same amount, against the sign of f·w_j (float32 pixels: 1e-6).
        #expect(abs(abs(v) - expected) <= 1e-3 * expected + 2e-6, "image \(i) pixel \(j): |δ| = \(abs(v)), analytic \(expected)")
        #expect(v * fixture.weights[j] * f <= 0, "image \(i) pixel \(j) moves away from the boundary")
      }
    }
  }

  @Test func badOptionsAreOneLineErrors() throws {
    let fixture = try LinearModelFixture.make(shape: [1, 8, 8], count: 2)
    defer { try? FileManager.default.removeItem(at: fixture.directory) }
    for spec in ["deepfool:norm=l3", "deepfool:candidates=1", "deepfool:overshoot=-1", "deepfool:eps=0.1"] {
      let run = try FlensCLI.run(["attack", "--model", fixture.model, "--data", fixture.data, "--attack", spec,
                                  "--out", fixture.directory.appendingPathComponent("bad").path])
      #expect(run.exitCode == 1, "\(spec): \(run)")
      let lines = run.stderr.split(separator: "\n")
      #expect(lines.count == 1 && run.stderr.contains("deepfool"), "\(spec): \(run.stderr)")
      #expect(!FileManager.default.fileExists(atPath: fixture.directory.appendingPathComponent("bad/summary.json").path))
    }
  }
}
