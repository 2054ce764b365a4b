import Foundation
import Testing
@testable import FourierLens

@Suite struct SyntheticDatasetTests {
  @Test func deterministicBalancedAndInRange() throws {
    let a = SyntheticFrequencyDataset(count: 40, seed: 3)
    let b = SyntheticFrequencyDataset(count: 40, seed: 3)
    let x = try a.batch(Array(0..<40)), y = try b.batch(Array(0..<40))
    #expect(x.images == y.images)
    #expect(try a.batch([7]).images.data == Array(x.images.data[7 * 1024 ..< 8 * 1024]))
    #expect(x.images.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    #expect((0..<4).allSatisfy { c in x.labels.filter { $0 == c }.count == 10 })
    let other = try SyntheticFrequencyDataset(count: 40, seed: 4).batch(Array(0..<40))
    #expect(other.images != x.images)
    #expect(throws: FourierLensError.self) { try a.batch([40]) }
  }

  /// The texture puts each class's high-frequency energy at its own orientation: the mean
  /// DFT magnitude of class c peaks, among the four texture directions, at c's direction.
  @Test func textureOrientationIsVisibleInTheSpectrum() throws {
    let data = SyntheticFrequencyDataset(count: 64, seed: 1)
    let batch = try data.batch(Array(0..<64))
    let magnitude = try MagnitudeSpectrum.compute(batch.images, transform: .dft)  // centred
    let n = 32
    for c in 0..<4 {
      var energy = [Double](repeating: 0, count: 4)
      for i in 0..<64 where batch.labels[i] == c {
        for d in 0..<4 {
          let angle = SyntheticFrequencyDataset.textureAngle(d)
          let fx = cos(angle) * SyntheticFrequencyDataset.textureFrequency * Double(n)
          let fy = sin(angle) * SyntheticFrequencyDataset.textureFrequency * Double(n)
          // Rows grow downwards: frequency +fy (upwards) is at row centre − fy... either sign
          // carries the same magnitude for a real image, so take the nearest bin.
          let row = n / 2 + Int(fy.rounded()), col = n / 2 + Int(fx.rounded())
          energy[d] += Double(magnitude.data[i * n * n + row * n + col])
        }
      }
      #expect(energy.indices.max { energy[$0] < energy[$1] } == c, "class \(c): \(energy)")
    }
  }
}
