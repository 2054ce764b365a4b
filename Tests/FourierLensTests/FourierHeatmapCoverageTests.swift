import Foundation
import Testing
@testable import FourierLens

/// The heat map against a direct computation: every cell of the centred map, for even and
/// odd sizes, must equal the error rate measured by adding that cell's own basis image,
/// built here from the formula and not from the probe's visiting order.
@Suite struct FourierHeatmapCoverageTests {
  /// A sign-invariant model: class 1 when the energy (Σ w·(x − x̄))² of the image along a
  /// fixed random direction w exceeds a threshold. Adding ±ε·U gives the same energy for
  /// both signs, so the probe's random signs cannot change its answer.
  final class EnergyThresholdClassifier: Classifier {
    let description: ModelDescription
    let direction: [Double]
    let threshold: Double

    init(direction: [Double], threshold: Double, height: Int, width: Int) {
      self.direction = direction
      self.threshold = threshold
      description = ModelDescription(arch: "energy", input: [1, height, width], mean: [0], std: [1], classes: ["low", "high"])
    }

    func energy(_ x: ArraySlice<Float>) -> Double {
      let mean = x.reduce(0.0) { $0 + Double($1) } / Double(x.count)
      let s = zip(x, direction).reduce(0.0) { $0 + (Double($1.0) - mean) * $1.1 }
      return s * s
    }

    func logits(_ input: Tensor) throws -> [Float] {
      let d = direction.count
      return (0..<input.shape[0]).flatMap { i -> [Float] in
        [Float(threshold), Float(energy(input.data[i * d ..< (i + 1) * d]))]
      }
    }

    func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
      throw FourierLensError.message("the heat map needs no gradient")
    }
  }

  /// The basis image of frequency (fy, fx), written out from the definition.
  static func basisImage(fy: Int, fx: Int, height h: Int, width w: Int) -> [Double] {
    var u = [Double]()
    for y in 0..<h {
      for x in 0..<w { u.append(cos(2 * Double.pi * (Double(fy * y) / Double(h) + Double(fx * x) / Double(w)))) }
    }
    let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return u.map { $0 / norm }
  }

  @Test(arguments: [(8, 8), (7, 5), (6, 9), (5, 6), (32, 32)])
  func everyCellEqualsTheDirectlyMeasuredErrorRate(height h: Int, width w: Int) throws {
    let eps = 0.5
    var rng = SeededGenerator(seed: UInt64(h * 100 + w))
    let direction = (0..<(h * w)).map { _ in Double(rng.nextGaussian()) }
    // The energy each centred cell's frequency produces, from the explicit basis image.
    // Centred row r holds frequency r − ⌊H/2⌋ (numpy's fftshift), likewise columns.
    var energies = [Double]()
    for row in 0..<h {
      for col in 0..<w {
        let u = Self.basisImage(fy: row - h / 2, fx: col - w / 2, height: h, width: w)
        let probe = EnergyThresholdClassifier(direction: direction, threshold: 0, height: h, width: w)
        energies.append(probe.energy(ArraySlice(u.map { Float(0.5 + eps * $0) })))
      }
    }
    // A threshold in the widest gap near the median, so no cell is within rounding of it.
    let sorted = energies.sorted()
    let middle = sorted.count / 2
    var gap = max(1, middle - sorted.count / 4)
    for i in gap ..< min(sorted.count, middle + sorted.count / 4 + 1) {
      let width: Double = sorted[i] - sorted[i - 1]
      if width > sorted[gap] - sorted[gap - 1] { gap = i }
    }
    let threshold = (sorted[gap] + sorted[gap - 1]) / 2
    #expect(sorted[gap] - sorted[gap - 1] > 1e-4 * max(1, threshold))
    let model = EnergyThresholdClassifier(direction: direction, threshold: threshold, height: h, width: w)

    // Four mid-grey images, labels 0 0 0 1: a cell reads 0.25 where the model says "low"
    // (only the label-1 image is wrong) and 0.75 where it says "high".
    let images = Tensor(shape: [4, 1, h, w], data: [Float](repeating: 0.5, count: 4 * h * w))
    let data = InMemoryDataset(batch: ImageBatch(images: images, labels: [0, 0, 0, 1], classNames: ["low", "high"]),
                               format: "generated")
    let out = try FourierHeatmapProbe(eps: Float(eps)).run(ProbeContext(model: model, dataset: data, batchSize: 3, showsProgress: false))
    let map = try #require(out.arrays["error"])
    #expect(map.shape == [h, w])
    var mismatches: [String] = []
    for row in 0..<h {
      for col in 0..<w {
        let expected: Float = energies[row * w + col] > threshold ? 0.75 : 0.25
        if map.data[row * w + col] != expected {
          mismatches.append("(\(row), \(col)): \(map.data[row * w + col]) ≠ \(expected)")
        }
      }
    }
    #expect(mismatches.isEmpty, "\(h)×\(w): \(mismatches.count) cells differ, first \(mismatches.prefix(5))")
    // Both answers occur, so the comparison is not trivially satisfied.
    #expect(Set(map.data) == [0.25, 0.75])
  }
}
