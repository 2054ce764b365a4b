/// Threshold-free and degenerate-aware views of a mask's reliability.
///
/// The paper's complement 1 − 1[M > 0] keeps exactly the frequencies the mask sets to
/// zero. Dataset masks learned with the default λ rarely reach zero anywhere, so that
/// complement is all zeros, the model sees a blank image and its accuracy is chance: a
/// property of the threshold, not of the model. `isDegenerate` says when that happens, and
/// the top-k selections rank frequencies by mask value instead, so no threshold is needed.
public enum MaskReliability {
  /// Below this share of frequencies kept, the complement's accuracy is not reported as a finding.
  public static let degenerateBelow = 0.01

  /// The top-k percentages of the accuracy probe's curves.
  public static let topPercents: [Double] = [1, 2, 5, 10, 20, 50, 100]

  /// The paper's complementary mask 1 − 1[M > 0].
  public static func complement(_ mask: [Float]) -> [Float] { mask.map { $0 > 0 ? 0 : 1 } }

  /// The share of frequencies the complement keeps (those where M ≤ 0).
  public static func complementKeptFraction(_ mask: [Float]) -> Double {
    mask.isEmpty ? 0 : Double(mask.filter { !($0 > 0) }.count) / Double(mask.count)
  }

  /// True when the complement keeps no, or almost no, frequency (< 1 % of them).
  public static func isDegenerate(_ mask: [Float]) -> Bool { complementKeptFraction(mask) < degenerateBelow }

  /// A 0/1 mask keeping the `percent` % of frequencies with the largest mask values (at
  /// least one). For the DFT a frequency and its Hermitian mirror −k are one unit, ranked
  /// by their mean value and kept or dropped together, so the filtered image stays real;
  /// ties go to the lower index. `shape` is [..., H, W]: each H×W plane is its own set of
  /// pairs, and the ranking is over all of them.
  public static func keepTop(percent: Double, of mask: [Float], shape: [Int], transform: TransformKind) throws -> [Float] {
    let (planes, h, w) = try planeGeometry(shape, what: "mask")
    guard planes * h * w == mask.count else {
      throw FourierLensError.shapeMismatch("a mask of \(mask.count) values is not of shape \(shape)")
    }
    var units: [(value: Float, members: [Int])] = []
    for p in 0 ..< planes {
      let base = p * h * w
      for r in 0 ..< h {
        for c in 0 ..< w {
          let i = base + r * w + c
          guard transform == .dft else { units.append((mask[i], [i])); continue }
          let mirror = base + ((h - r) % h) * w + (w - c) % w
          if mirror == i { units.append((mask[i], [i])) } else if mirror > i { units.append(((mask[i] + mask[mirror]) / 2, [i, mirror])) }
        }
      }
    }
    units.sort { $0.value != $1.value ? $0.value > $1.value : $0.members[0] < $1.members[0] }
    let target = max(1, Int((percent / 100 * Double(mask.count)).rounded()))
    var kept = [Float](repeating: 0, count: mask.count)
    var count = 0
    for unit in units where count < target {
      for i in unit.members { kept[i] = 1 }
      count += unit.members.count
    }
    return kept
  }
}
