import Foundation
import Testing
@testable import FourierLens

/// The bundled `deepfool` attack on a three-class analytic linear classifier. Its decision
/// cell is an intersection of half-spaces, so the L2 distance from an image to the nearest
/// other class is exactly min_k |z_k − z_y| / ‖∇(z_k − z_y)‖₂ over the other classes, and
/// DeepFool's first step lands there: ‖δ‖₂ = (1 + overshoot)(that distance + 10⁻⁴).
@Suite struct DeepFoolPluginTests {
  @Test func l2StepIsTheDistanceToTheNearestOtherClass() throws {
    let (model, batch) = AttackPluginTests.fixture()
    let attack = try TestSupport.bundled.makeAttack("deepfool:norm=l2,overshoot=0.02")
    let adversarial = try attack.perturb(batch, model: model, seed: 0)
    let d = batch.images.strideOfFirstDimension, k = 3, plane = 64
    let z = try model.logits(batch.images)
    var checked = 0
    for i in 0..<batch.count {
      let y = batch.labels[i]
      guard (0..<k).max(by: { z[i * k + $0] < z[i * k + $1] }) == y else { continue }
      let out = adversarial.data[i * d ..< (i + 1) * d]
      // A pixel at the box's edge was clamped: the analytic answer does not apply there.
      guard !out.contains(where: { $0 <= 0 || $0 >= 1 }) else { continue }
      var nearest = Double.infinity
      for c in 0..<k where c != y {
        let gradient = (0..<d).map { t in (model.weights[c * d + t] - model.weights[y * d + t]) / Double(AttackPluginTests.std[t / plane]) }
        let norm = gradient.reduce(0) { $0 + $1 * $1 }.squareRoot()
        nearest = min(nearest, abs(Double(z[i * k + c] - z[i * k + y])) / norm)
      }
      let expected = 1.02 * (nearest + 1e-4)
      let got = (0..<d).reduce(0.0) { $0 + pow(Double(out[out.startIndex + $1]) - Double(batch.images.data[i * d + $1]), 2) }.squareRoot()
      #expect(abs(got - expected) <= 2e-3 * expected + 1e-5, "image \(i): ‖δ‖₂ \(got), analytic \(expected)")
      checked += 1
    }
    #expect(checked >= batch.count / 2, "only \(checked) images could be checked")
    #expect(try model.accuracy(adversarial, batch.labels) == 0, "every image leaves its class")
  }
}
