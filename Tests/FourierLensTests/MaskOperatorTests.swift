import Foundation
import Testing
@testable import FourierLens

/// The mask operation against direct double-precision sums, and its adjoints against
/// finite differences and dot-product identities.
@Suite struct MaskOperatorTests {
  static let n = 4, c = 2
  static let cases: [(TransformKind, MaskLayout, Int, Int)] = [
    (.dft, .shared, 5, 6), (.dft, .perChannel, 6, 7), (.dft, .shared, 4, 4), (.dft, .perChannel, 1, 5),
    (.dct, .shared, 5, 7), (.dct, .perChannel, 6, 4),
  ]

  static func batch(_ h: Int, _ w: Int, seed: UInt64) -> Tensor {
    Tensor(shape: [n, c, h, w], data: DirectTransforms.random(n * c * h * w, seed: seed))
  }

  /// Σ g ⊙ y in Double.
  static func dot(_ a: [Float], _ b: [Float]) -> Double {
    zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
  }

  static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    let diff = zip(a, b).reduce(0.0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
    let scale = b.reduce(0.0) { $0 + $1 * $1 }.squareRoot()
    return diff / max(scale, 1e-30)
  }

  @Test(arguments: [TransformKind.dft, .dct]) func onesIsIdentityZerosIsZeroDCIsChannelMean(kind: TransformKind) throws {
    let h = 5, w = 6
    let x = Self.batch(h, w, seed: 1)
    let op = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: .shared)
    try op.setInput(x)
    let ones = try op.apply(masks: [Float](repeating: 1, count: h * w), maskCount: 1, assignment: nil)
    #expect(ones.shape == x.shape)
    #expect(zip(ones.data, x.data).allSatisfy { abs($0 - $1) < 1e-5 })
    let zeros = try op.apply(masks: [Float](repeating: 0, count: h * w), maskCount: 1, assignment: nil)
    #expect(zeros.data.allSatisfy { $0 == 0 })
    var dc = [Float](repeating: 0, count: h * w)
    dc[0] = 1
    let mean = try op.apply(masks: dc, maskCount: 1, assignment: nil)
    for plane in 0..<(Self.n * Self.c) {
      let values = x.data[plane * h * w ..< (plane + 1) * h * w]
      let m = values.reduce(0.0) { $0 + Double($1) } / Double(h * w)
      #expect(mean.data[plane * h * w ..< (plane + 1) * h * w].allSatisfy { abs(Double($0) - m) < 1e-6 })
    }
  }

  @Test(arguments: cases) func applyMatchesDirectSums(kind: TransformKind, layout: MaskLayout, h: Int, w: Int) throws {
    let x = Self.batch(h, w, seed: 2)
    let op = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: layout)
    #expect(op.maskShape == (layout == .shared ? [h, w] : [Self.c, h, w]))
    try op.setInput(x)
    // Three masks, not Hermitian-symmetric, with an assignment that leaves no mask unused.
    let masks = DirectTransforms.random(3 * op.maskSize, seed: 3).map { $0 + 0.5 }
    let assignment = [2, 0, 1, 2]
    let y = try op.apply(masks: masks, maskCount: 3, assignment: assignment)
    for i in 0..<Self.n {
      for ch in 0..<Self.c {
        let plane = (i * Self.c + ch) * h * w
        let maskStart = assignment[i] * op.maskSize + (layout == .shared ? 0 : ch * h * w)
        let expected = DirectTransforms.masked(x.data[plane ..< plane + h * w].map(Double.init),
                                               mask: masks[maskStart ..< maskStart + h * w].map(Double.init),
                                               kind: kind, height: h, width: w)
        #expect(DirectTransforms.maxAbs(Array(y.data[plane ..< plane + h * w]), expected) < 2e-5)
      }
    }
  }

  /// L = Σ g ⊙ x_M is linear in M and in x, so a central difference with a step of 1 is
  /// exact up to rounding; every mask entry and a sample of input entries are checked.
  @Test(arguments: cases) func adjointsMatchFiniteDifferences(kind: TransformKind, layout: MaskLayout, h: Int, w: Int) throws {
    let x = Self.batch(h, w, seed: 4)
    let g = Self.batch(h, w, seed: 5)
    let op = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: layout)
    try op.setInput(x)
    let maskCount = 3
    let assignment = [1, 0, 1, 0]  // mask 2 is unused: its gradient must be zero
    var masks = DirectTransforms.random(maskCount * op.maskSize, seed: 6).map { $0 + 0.5 }
    let analytic = try op.maskGradient(masks: masks, maskCount: maskCount, assignment: assignment, outputGradient: g)
    #expect(analytic.count == masks.count)
    let loss: ([Float]) throws -> Double = { m in
      Self.dot(try op.apply(masks: m, maskCount: maskCount, assignment: assignment).data, g.data)
    }
    var numeric = [Double](repeating: 0, count: masks.count)
    for k in 0..<masks.count {
      let saved = masks[k]
      masks[k] = saved + 1
      let up = try loss(masks)
      masks[k] = saved - 1
      let down = try loss(masks)
      masks[k] = saved
      numeric[k] = (up - down) / 2
    }
    #expect(Self.relativeError(analytic.map(Double.init), numeric) < 1e-3)
    let unused = analytic[2 * op.maskSize ..< 3 * op.maskSize]
    #expect(unused.allSatisfy { $0 == 0 })

    // ∂L/∂x: L(x) = Σ g ⊙ x_M(x) with the masks fixed.
    let inputGradient = try op.inputGradient(masks: masks, maskCount: maskCount, assignment: assignment, outputGradient: g)
    #expect(inputGradient.shape == x.shape)
    let other = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: layout)
    var xs = x
    var numericX = [Double](), analyticX = [Double]()
    for k in stride(from: 0, to: x.count, by: 3) {
      let saved = xs.data[k]
      xs.data[k] = saved + 1
      try other.setInput(xs)
      let up = Self.dot(try other.apply(masks: masks, maskCount: maskCount, assignment: assignment).data, g.data)
      xs.data[k] = saved - 1
      try other.setInput(xs)
      let down = Self.dot(try other.apply(masks: masks, maskCount: maskCount, assignment: assignment).data, g.data)
      xs.data[k] = saved
      numericX.append((up - down) / 2)
      analyticX.append(Double(inputGradient.data[k]))
    }
    #expect(Self.relativeError(analyticX, numericX) < 1e-3)

    // The combined call gives the same two gradients.
    let both = try op.gradients(masks: masks, maskCount: maskCount, assignment: assignment, outputGradient: g)
    #expect(both.mask == analytic)
    #expect(both.input == inputGradient)
  }

  /// ⟨A m, g⟩ = ⟨m, Aᵀ g⟩ for the map m ↦ x_M, and ⟨B x, g⟩ = ⟨x, Bᵀ g⟩ for x ↦ x_M.
  @Test(arguments: cases) func dotProductTests(kind: TransformKind, layout: MaskLayout, h: Int, w: Int) throws {
    let x = Self.batch(h, w, seed: 7), g = Self.batch(h, w, seed: 8), z = Self.batch(h, w, seed: 9)
    let op = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: layout)
    try op.setInput(x)
    let m = DirectTransforms.random(2 * op.maskSize, seed: 10)
    let assignment = [0, 1, 1, 0]
    let am = try op.apply(masks: m, maskCount: 2, assignment: assignment)
    let atg = try op.maskGradient(masks: m, maskCount: 2, assignment: assignment, outputGradient: g)
    let lhs = Self.dot(am.data, g.data), rhs = Self.dot(m, atg)
    #expect(abs(lhs - rhs) <= 1e-4 * max(1, abs(lhs)))
    // Input side: B depends on the masks only; apply it to z through a second operator.
    let bz = try MaskOperator(kind: kind, channels: Self.c, height: h, width: w, layout: layout)
    try bz.setInput(z)
    let lhs2 = Self.dot(try bz.apply(masks: m, maskCount: 2, assignment: assignment).data, g.data)
    let rhs2 = Self.dot(z.data, try op.inputGradient(masks: m, maskCount: 2, assignment: assignment, outputGradient: g).data)
    #expect(abs(lhs2 - rhs2) <= 1e-4 * max(1, abs(lhs2)))
  }

  @Test func perChannelMasksActOnTheirOwnChannel() throws {
    let h = 4, w = 5
    let x = Self.batch(h, w, seed: 12)
    let op = try MaskOperator(kind: .dft, channels: 2, height: h, width: w, layout: .perChannel)
    try op.setInput(x)
    // Channel 0 kept, channel 1 removed.
    let mask = [Float](repeating: 1, count: h * w) + [Float](repeating: 0, count: h * w)
    let y = try op.apply(masks: mask, maskCount: 1, assignment: nil)
    for i in 0..<Self.n {
      let c0 = (i * 2) * h * w, c1 = (i * 2 + 1) * h * w
      #expect(zip(y.data[c0 ..< c0 + h * w], x.data[c0 ..< c0 + h * w]).allSatisfy { abs($0 - $1) < 1e-5 })
      #expect(y.data[c1 ..< c1 + h * w].allSatisfy { $0 == 0 })
    }
  }

  @Test func threadedLoopsGiveTheSameResult() throws {
    let h = 32, w = 32, count = 64
    let x = Tensor(shape: [count, 3, h, w], data: DirectTransforms.random(count * 3 * h * w, seed: 13))
    let g = Tensor(shape: [count, 3, h, w], data: DirectTransforms.random(count * 3 * h * w, seed: 14))
    let op = try MaskOperator(kind: .dft, channels: 3, height: h, width: w, layout: .shared)
    try op.setInput(x)
    let masks = DirectTransforms.random(h * w, seed: 15)
    let single = try op.gradients(masks: masks, maskCount: 1, assignment: nil, outputGradient: g)
    let previous = FrequencyThreads.current
    FrequencyThreads.set(2)
    defer { FrequencyThreads.set(previous) }
    let threaded = try op.gradients(masks: masks, maskCount: 1, assignment: nil, outputGradient: g)
    #expect(zip(single.mask, threaded.mask).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
    #expect(zip(single.input.data, threaded.input.data).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func badCallsThrowInsteadOfCrashing() throws {
    let op = try MaskOperator(kind: .dft, channels: 2, height: 4, width: 4, layout: .shared)
    let ones = [Float](repeating: 1, count: 16)
    #expect(throws: FourierLensError.self) { try op.apply(masks: ones, maskCount: 1, assignment: nil) }
    #expect(throws: FourierLensError.self) { try op.setInput(Tensor(zeros: [2, 3, 4, 4])) }
    var bad = Tensor(zeros: [2, 2, 4, 4])
    bad.data[3] = .nan
    #expect(throws: FourierLensError.self) { try op.setInput(bad) }
    try op.setInput(Tensor(zeros: [2, 2, 4, 4]))
    #expect(throws: FourierLensError.self) { try op.apply(masks: ones + [1], maskCount: 1, assignment: nil) }
    #expect(throws: FourierLensError.self) { try op.apply(masks: ones, maskCount: 1, assignment: [0, 1]) }
    #expect(throws: FourierLensError.self) { try op.apply(masks: ones, maskCount: 1, assignment: [0]) }
    #expect(throws: FourierLensError.self) { try op.apply(masks: ones.map { _ in .infinity }, maskCount: 1, assignment: nil) }
    #expect(throws: FourierLensError.self) {
      try op.maskGradient(masks: ones, maskCount: 1, assignment: nil, outputGradient: Tensor(zeros: [3, 2, 4, 4]))
    }
    #expect(throws: FourierLensError.self) { try MaskOperator(kind: .dct, channels: 0, height: 4, width: 4, layout: .shared) }
  }
}
