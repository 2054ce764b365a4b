import Foundation
import Testing
@testable import FourierLens

@Suite struct BandsTests {
  @Test func radialIndexOfA4x4SpectrumMatchesHandCount() throws {
    // Shifted coordinates run over −2…1 on both axes; DC is at shifted (2, 2).
    let e2 = try FrequencyBands.radialBandIndex(height: 4, width: 4, bands: 2, metric: .euclidean)
    #expect(FrequencyBands.bandSizes(index: e2, count: 2) == [5, 11])  // radius < √2: DC and its 4 neighbours
    let l3 = try FrequencyBands.radialBandIndex(height: 4, width: 4, bands: 3, metric: .l1)
    #expect(FrequencyBands.bandSizes(index: l3, count: 3) == [5, 6, 5])  // |x|+|y| ∈ {0,1}, {2}, {3,4}
    #expect(e2[0] == 0)  // DC, unshifted [0, 0]
    #expect(e2[2 * 4 + 2] == 1)  // the (−2, −2) corner, unshifted [2, 2]
    #expect(l3[2 * 4 + 2] == 2)
  }

  @Test func oddSpectrumIsSymmetricAndCornersAreInTheLastBand() throws {
    let h = 5, w = 5
    let index = try FrequencyBands.radialBandIndex(height: h, width: w, bands: 4, metric: .euclidean)
    let shifted = SpectrumShift.fftshift(index, height: h, width: w)
    for r in 0..<h { for c in 0..<w { #expect(shifted[r * w + c] == shifted[(h - 1 - r) * w + (w - 1 - c)]) } }
    for corner in [0, w - 1, (h - 1) * w, h * w - 1] { #expect(shifted[corner] == 3) }
    #expect(shifted[2 * w + 2] == 0)
  }

  @Test func maskInOneRadialBandHasAllItsEnergyThere() throws {
    let h = 8, w = 10, bands = 5
    let index = try FrequencyBands.radialBandIndex(height: h, width: w, bands: bands, metric: .euclidean)
    for target in 0..<bands {
      var g = SeededGenerator(seed: UInt64(target))
      let mask = index.map { $0 == target ? g.nextUniform() + 0.1 : 0 }
      let e = try FrequencyBands.radialEnergies(mask, shape: [h, w], bands: bands)
      for b in 0..<bands { #expect(abs(e[b] - (b == target ? 1 : 0)) < 1e-6) }
    }
  }

  @Test(arguments: [RadiusMetric.euclidean, .l1]) func allOnesRadialProfileIsSqrtOfBandSizes(metric: RadiusMetric) throws {
    let h = 9, w = 12, bands = 6
    let ones = [Float](repeating: 1, count: 3 * h * w)  // C×H×W: three planes, one mask
    let e = try FrequencyBands.radialEnergies(ones, shape: [3, h, w], bands: bands, metric: metric)
    let sizes = FrequencyBands.bandSizes(
      index: try FrequencyBands.radialBandIndex(height: h, width: w, bands: bands, metric: metric), count: bands)
    #expect(sizes.reduce(0, +) == h * w)
    for b in 0..<bands { #expect(abs(Double(e[b]) - (Double(sizes[b]) / Double(h * w)).squareRoot()) < 1e-6) }
    // Radial bands partition the plane: the squared energies sum to 1.
    #expect(abs(e.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
  }

  @Test func horizontalFrequencyLineLandsInSectorZeroAndOneEighty() throws {
    let h = 8, w = 8
    // Unshifted row 0 holds the frequencies with f_y = 0; columns 1…3 are f_x > 0, 5…7 f_x < 0.
    var positive = [Float](repeating: 0, count: h * w), negative = positive
    for c in 1...3 { positive[c] = 1 }
    for c in 5...7 { negative[c] = 1 }
    let e = try FrequencyBands.angularEnergies(positive, shape: [h, w], sectors: 4)
    #expect(e == [1, 0, 0, 0])
    let opposite = try FrequencyBands.angularEnergies(negative, shape: [h, w], sectors: 4)
    #expect(opposite == [0, 0, 1, 0])  // 180°
    let folded = try FrequencyBands.angularEnergies(negative, shape: [h, w], sectors: 4, foldOpposite: true)
    #expect(folded == [1, 0, 0, 0])
    // Vertical frequency: unshifted row 1 is one step below DC in the centred spectrum, i.e. 270°.
    var down = [Float](repeating: 0, count: h * w)
    down[1 * w] = 1
    #expect(try FrequencyBands.angularEnergies(down, shape: [h, w], sectors: 4) == [0, 0, 0, 1])
    // …and row H−1 is one step above: 90°.
    var up = [Float](repeating: 0, count: h * w)
    up[(h - 1) * w] = 1
    #expect(try FrequencyBands.angularEnergies(up, shape: [h, w], sectors: 4) == [0, 1, 0, 0])
    // The diagonal f_x = f_y > 0 (unshifted row H−1, column 1) is 45°: sector 1 of 8.
    let index = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: 8)
    #expect(index[(h - 1) * w + 1] == 1)
    #expect(index[0] == -1)  // DC belongs to no sector
  }

  @Test func foldedSectorsPairOppositeDirections() throws {
    let h = 7, w = 9
    let full = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: 6)
    let folded = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: 3, foldOpposite: true)
    // Sectors of 60°: folding maps sector s of 6 to s mod 3.
    for k in 0..<(h * w) where full[k] >= 0 { #expect(folded[k] == full[k] % 3) }
    // Every non-DC frequency has a sector.
    #expect(full.filter { $0 < 0 }.count == 1)
  }

  @Test func spectrumOfAHorizontalCosineIsHorizontal() throws {
    let h = 16, w = 16
    var x = [Float](repeating: 0, count: h * w)
    for r in 0..<h { for c in 0..<w { x[r * w + c] = Float(cos(2 * Double.pi * 3 * Double(c) / Double(w))) } }
    let magnitude = try DFT2D.forward(Tensor(shape: [h, w], data: x)).magnitude
    let profile = try FrequencyBands.profile(magnitude, radial: 4, angular: 4, foldOpposite: true)
    #expect(abs(profile.angular[0] - 1) < 1e-5 && profile.angular.dropFirst().allSatisfy { $0 < 1e-5 })
    // |f| = 3 of a maximum radius √128 ≈ 11.3: band ⌊3/11.3·4⌋ = 1.
    #expect(abs(profile.radial[1] - 1) < 1e-5)
  }

  @Test func dctBandsAreMeasuredFromTheDCCorner() throws {
    let h = 6, w = 6
    let radial = try FrequencyBands.radialBandIndex(height: h, width: w, bands: 3, metric: .l1, transform: .dct)
    #expect(radial[0] == 0 && radial[h * w - 1] == 2)
    #expect(radial[2] == 0 && radial[4] == 1)  // |f| = 2 and 4 of a maximum 10
    let angular = try FrequencyBands.angularSectorIndex(height: h, width: w, sectors: 3, transform: .dct)
    #expect(angular[0] == -1)
    #expect(angular[5] == 0)  // first row: horizontal, 0°
    #expect(angular[5 * w] == 2)  // first column: vertical, 90°, closes the last sector
    #expect(angular[3 * w + 3] == 1)  // 45°
  }

  @Test func badArgumentsThrow() {
    #expect(throws: FourierLensError.self) { try FrequencyBands.radialBandIndex(height: 4, width: 4, bands: 0, metric: .l1) }
    #expect(throws: FourierLensError.self) { try FrequencyBands.angularSectorIndex(height: 0, width: 4, sectors: 2) }
    #expect(throws: FourierLensError.self) { try FrequencyBands.radialEnergies([1, 2, 3], shape: [2, 2], bands: 2) }
    #expect(throws: FourierLensError.self) { try FrequencyBands.radialEnergies([1, .nan, 3, 4], shape: [2, 2], bands: 2) }
    #expect(try! FrequencyBands.radialEnergies([0, 0, 0, 0], shape: [2, 2], bands: 2) == [0, 0])
  }
}
