import Foundation
import Testing
@testable import FourierLens

/// Every bundled attack, loaded from libFLAttacks.so, against an analytic linear classifier
/// fitted on synthetic data: the budget holds exactly, outputs stay in [0, 1], results are
/// reproducible for a seed, and the attack hurts more than random noise of the same norm.
@Suite("Bundled attack plugins")
struct AttackPluginTests {
  let registry = TestSupport.bundled
  static let shape = [3, 8, 8]
  static let mean: [Float] = [0.5, 0.45, 0.4]
  static let std: [Float] = [0.2, 0.25, 0.3]

  /// A fitted 3-class model and a held-out test batch it classifies (almost) perfectly.
  static func fixture() -> (AnalyticClassifier, ImageBatch) {
    let train = SyntheticImages.batch(count: 300, classes: 3, shape: shape, seed: 1)
    let model = AnalyticClassifier.fitted(train, classes: 3, mean: mean, std: std)
    let test = SyntheticImages.batch(count: 60, classes: 3, shape: shape, seed: 2)
    return (model, test)
  }

  /// Like `fixture`, but the classes differ only at low frequencies (normalised radius
  /// ≤ 0.4) and the pixel noise is small, so band-limited attacks can succeed without any
  /// pixel reaching the [0, 1] box (which would leak energy out of the band).
  static func lowFrequencyFixture() throws -> (AnalyticClassifier, ImageBatch) {
    var rng = SeededGenerator(seed: 99)
    let raw = Tensor(shape: [9, 1, 8, 8], data: (0..<(9 * 64)).map { _ in rng.nextUniform() < 0.5 ? -1 : 1 })
    let op = try MaskOperator(kind: .dft, channels: 1, height: 8, width: 8, layout: .shared)
    try op.setInput(raw)
    let band = FrequencyGrid.normalisedRadius(.dft, height: 8, width: 8).map { $0 <= 0.4 ? Float(1) : 0 }
    let smooth = try op.apply(masks: band, maskCount: 1, assignment: nil).data
    let patterns = (0..<3).map { k -> [Float] in
      let p = Array(smooth[k * 192 ..< (k + 1) * 192])
      let m = p.reduce(0) { max($0, abs($1)) }
      return p.map { $0 / m }
    }
    let train = SyntheticImages.batch(count: 300, classes: 3, shape: shape, amplitude: 0.1, noise: 0.02, patterns: patterns, seed: 1)
    let model = AnalyticClassifier.fitted(train, classes: 3, mean: mean, std: std)
    let test = SyntheticImages.batch(count: 60, classes: 3, shape: shape, amplitude: 0.1, noise: 0.02, patterns: patterns, seed: 2)
    return (model, test)
  }

  static func perImage(_ delta: [Float], count: Int, _ f: (ArraySlice<Float>) -> Float) -> [Float] {
    let d = delta.count / count
    return (0..<count).map { f(delta[$0 * d ..< ($0 + 1) * d]) }
  }
  static func l2(_ s: ArraySlice<Float>) -> Float { (s.reduce(0) { $0 + $1 * $1 }).squareRoot() }
  static func linf(_ s: ArraySlice<Float>) -> Float { s.reduce(0) { max($0, abs($1)) } }

  /// Clean batch plus noise whose per-image norm equals the attack's: random signs (L∞) or a
  /// random Gaussian direction (L2), clamped like the attack's output.
  static func noiseMatching(_ x: Tensor, _ delta: [Float], count: Int, linfNorm: Bool, seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    let d = x.count / count
    var out = x.data
    for i in 0..<count {
      let slice = delta[i * d ..< (i + 1) * d]
      if linfNorm {
        let e = linf(slice)
        for j in 0..<d { out[i * d + j] += rng.nextUniform() < 0.5 ? -e : e }
      } else {
        let target = l2(slice)
        let g = (0..<d).map { _ in rng.nextGaussian() }
        let n = (g.reduce(0) { $0 + $1 * $1 }).squareRoot()
        for j in 0..<d { out[i * d + j] += g[j] / n * target }
      }
    }
    return Tensor(shape: x.shape, data: out.map { min(1, max(0, $0)) })
  }

  @Test("L-infinity attacks: budget, range, and stronger than sign noise",
        arguments: ["fgsm:eps=0.12", "pgd-linf:eps=0.12,steps=10", "pgd-linf:eps=0.12,steps=5,alpha=0.03,restarts=3,loss=margin"])
  func linfAttack(spec: String) throws {
    let (model, batch) = Self.fixture()
    let clean = try model.accuracy(batch.images, batch.labels)
    #expect(clean >= 0.95)
    let attack = try registry.makeAttack(spec)
    let adv = try attack.perturb(batch, model: model, seed: 3)
    #expect(adv.shape == batch.images.shape)
    #expect(adv.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    let delta = zip(adv.data, batch.images.data).map { $0 - $1 }
    #expect(Self.perImage(delta, count: batch.count, Self.linf).max()! <= 0.12 + 1e-6)
    let attacked = try model.accuracy(adv, batch.labels)
    let noisy = try model.accuracy(Self.noiseMatching(batch.images, delta, count: batch.count, linfNorm: true, seed: 4), batch.labels)
    #expect(attacked <= 0.2, "\(spec): accuracy \(attacked) under attack")
    #expect(noisy >= 0.8, "\(spec): accuracy \(noisy) under sign noise of the same size")
  }

  @Test func pgdL2RespectsItsBudgetAndBeatsGaussianNoise() throws {
    let (model, batch) = Self.fixture()
    let adv = try registry.makeAttack("pgd-l2:eps=1.5,steps=10").perturb(batch, model: model, seed: 3)
    #expect(adv.data.allSatisfy { $0 >= 0 && $0 <= 1 })
    let delta = zip(adv.data, batch.images.data).map { $0 - $1 }
    #expect(Self.perImage(delta, count: batch.count, Self.l2).max()! <= 1.5 * (1 + 1e-5))
    let attacked = try model.accuracy(adv, batch.labels)
    let noisy = try model.accuracy(Self.noiseMatching(batch.images, delta, count: batch.count, linfNorm: false, seed: 4), batch.labels)
    #expect(attacked <= 0.2)
    #expect(noisy >= 0.8)
  }

  @Test func normalisedSpaceScalesTheBudgetByStd() throws {
    let (model, batch) = Self.fixture()
    let adv = try registry.makeAttack("pgd-linf:eps=0.2,space=normalized,steps=3").perturb(batch, model: model, seed: 5)
    let plane = 64
    for (j, (a, x)) in zip(adv.data, batch.images.data).enumerated() {
      let c = (j / plane) % 3
      #expect(abs(a - x) <= 0.2 * Self.std[c] + 1e-6)
    }
    // The budget is used: some pixels of every channel move by the full eps·std.
    for c in 0..<3 {
      let moved = zip(adv.data, batch.images.data).enumerated().filter { ($0.offset / plane) % 3 == c }
        .map { abs($0.element.0 - $0.element.1) }.max()!
      #expect(abs(moved - 0.2 * Self.std[c]) < 1e-5)
    }
  }

  @Test func targetedAttackReachesTheTargetClass() throws {
    let (model, batch) = Self.fixture()
    let adv = try registry.makeAttack("pgd-linf:eps=0.2,steps=20,targeted=true").perturb(batch, model: model, seed: 6)
    let targets = batch.labels.map { ($0 + 1) % 3 }
    #expect(try model.accuracy(adv, targets) >= 0.9)
    let fixed = try registry.makeAttack("pgd-linf:eps=0.2,steps=20,targeted=true,target=2").perturb(batch, model: model, seed: 6)
    #expect(try model.accuracy(fixed, [Int](repeating: 2, count: batch.count)) >= 0.9)
  }

  @Test func attacksAreReproducibleForASeed() throws {
    let (model, batch) = Self.fixture()
    let attack = try registry.makeAttack("pgd-l2:eps=0.5,steps=3,restarts=2")
    let a = try attack.perturb(batch, model: model, seed: 11)
    let b = try attack.perturb(batch, model: model, seed: 11)
    let c = try attack.perturb(batch, model: model, seed: 12)
    #expect(a == b)
    #expect(a != c)
  }

  @Test func bandAttackStaysInItsBandAndBudget() throws {
    let (model, batch) = try Self.lowFrequencyFixture()
    #expect(try model.accuracy(batch.images, batch.labels) >= 0.95)
    // Low frequencies only: normalised radius ≤ 0.4.
    let adv = try registry.makeAttack("pgd-band:eps=1,steps=10,rmax=0.4").perturb(batch, model: model, seed: 7)
    let delta = zip(adv.data, batch.images.data).map { $0 - $1 }
    #expect(Self.perImage(delta, count: batch.count, Self.l2).max()! <= 1 * (1 + 1e-5))
    // No pixel reached the box here, so δ itself is band-limited: its spectrum outside the band is ~0.
    #expect(adv.data.allSatisfy { $0 > 0 && $0 < 1 })
    let spectrum = try DFT2D.forward(Tensor(shape: [batch.count * 3, 8, 8], data: delta))
    let radius = FrequencyGrid.normalisedRadius(.dft, height: 8, width: 8)
    var inside = 0.0, outside = 0.0
    for i in 0..<spectrum.count {
      let e = Double(spectrum.real[i] * spectrum.real[i] + spectrum.imag[i] * spectrum.imag[i])
      if radius[i % 64] <= 0.4 + 1e-6 { inside += e } else { outside += e }
    }
    #expect(outside <= 1e-8 * inside)
    let attacked = try model.accuracy(adv, batch.labels)
    let noisy = try model.accuracy(Self.noiseMatching(batch.images, delta, count: batch.count, linfNorm: false, seed: 8), batch.labels)
    #expect(attacked < noisy - 0.3, "band attack \(attacked) vs noise \(noisy)")
  }

  @Test func bandAttackFromAMaskFile() throws {
    let (model, batch) = try Self.lowFrequencyFixture()
    let dir = try TestSupport.temporaryDirectory("bandmask")
    // Keep only the frequencies with |ky|, |kx| ≤ 1 (a 3×3 block around DC).
    var mask = [Float](repeating: 0, count: 64)
    for y in [0, 1, 7] { for x in [0, 1, 7] { mask[y * 8 + x] = 1 } }
    let path = dir + "/mask.npy"
    try NPY.write(Tensor(shape: [8, 8], data: mask), to: path)
    let adv = try registry.makeAttack("pgd-band:eps=1,steps=5,mask=\(path)").perturb(batch, model: model, seed: 9)
    let delta = zip(adv.data, batch.images.data).map { $0 - $1 }
    let spectrum = try DFT2D.forward(Tensor(shape: [batch.count * 3, 8, 8], data: delta))
    var outside = 0.0, total = 0.0
    for i in 0..<spectrum.count {
      let e = Double(spectrum.real[i] * spectrum.real[i] + spectrum.imag[i] * spectrum.imag[i])
      total += e
      if mask[i % 64] == 0 { outside += e }
    }
    #expect(total > 0)
    #expect(outside <= 1e-8 * total)
    // A mask file of the wrong size is the attack's error, naming the library.
    try NPY.write(Tensor(shape: [4, 4], data: [Float](repeating: 1, count: 16)), to: path)
    #expect {
      _ = try registry.makeAttack("pgd-band:mask=\(path)").perturb(batch, model: model, seed: 9)
    } throws: { "\($0)".contains("libFLAttacks") && "\($0)".contains("4x4") }
  }

  @Test func fourierNoiseIsTheBasisImageAndHurtsAModelThatUsesItsFrequency() throws {
    // Two classes told apart by the sign of one Fourier basis image (frequency (1, 2)).
    let (h, w) = (8, 8)
    var basis = [Float](repeating: 0, count: 64)
    for y in 0..<h { for x in 0..<w { basis[y * w + x] = cos(2 * Float.pi * (Float(y) / 8 + 2 * Float(x) / 8)) } }
    let norm = (basis.reduce(0) { $0 + $1 * $1 }).squareRoot()
    basis = basis.map { $0 / norm }
    let patterns = [1, -1].map { s in (0..<3).flatMap { _ in basis.map { Float(s) * $0 * 4 } } }
    // Class coefficient ±0.2 per channel along U(1,2); noise 0.05 per pixel.
    let train = SyntheticImages.batch(count: 200, classes: 2, shape: [3, 8, 8], amplitude: 0.05, noise: 0.05, patterns: patterns, seed: 1)
    let model = AnalyticClassifier.fitted(train, classes: 2, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])
    let batch = SyntheticImages.batch(count: 80, classes: 2, shape: [3, 8, 8], amplitude: 0.05, noise: 0.05, patterns: patterns, seed: 2)
    #expect(try model.accuracy(batch.images, batch.labels) >= 0.95)

    // Norm 1 per channel with a random sign each: the class evidence (0.6) flips about half the time.
    let adv = try registry.makeAttack("fourier-noise:norm=1,i=1,j=2").perturb(batch, model: model, seed: 3)
    let delta = zip(adv.data, batch.images.data).map { $0 - $1 }
    // Per channel: ±norm · U(1,2), exactly (nothing is clipped with these values).
    for plane in 0..<(batch.count * 3) {
      let d = Array(delta[plane * 64 ..< (plane + 1) * 64])
      let dot = zip(d, basis).reduce(Float(0)) { $0 + $1.0 * $1.1 }
      #expect(abs(abs(dot) - 1) < 1e-4)
      #expect(abs(Self.l2(d[...]) - 1) < 1e-4)
    }
    let attacked = try model.accuracy(adv, batch.labels)
    let noisy = try model.accuracy(Self.noiseMatching(batch.images, delta, count: batch.count, linfNorm: false, seed: 4), batch.labels)
    #expect(attacked < noisy - 0.2, "fourier-noise \(attacked) vs Gaussian noise \(noisy)")
    // Random frequencies: each channel has norm at most 0.5 and the same seed gives the same batch.
    let random = try registry.makeAttack("fourier-noise:norm=0.5,random=true")
    let r1 = try random.perturb(batch, model: model, seed: 5), r2 = try random.perturb(batch, model: model, seed: 5)
    #expect(r1 == r2)
    let rd = zip(r1.data, batch.images.data).map { $0 - $1 }
    for plane in 0..<(batch.count * 3) { #expect(Self.l2(rd[plane * 64 ..< (plane + 1) * 64]) <= 0.5 + 1e-4) }
  }

  @Test func modelErrorsInsideAnAttackSurfaceAsTheModelsError() throws {
    let (model, batch) = Self.fixture()
    // A batch whose images do not match the model's input: the host refuses before calling the plugin.
    let wrong = ImageBatch(images: Tensor(zeros: [2, 3, 4, 4]), labels: [0, 1], classNames: batch.classNames)
    #expect(throws: FourierLensError.self) { _ = try registry.makeAttack("fgsm").perturb(wrong, model: model, seed: 0) }
    let badLabels = ImageBatch(images: batch.images.slice(0..<2), labels: [0, 7], classNames: batch.classNames)
    #expect(throws: FourierLensError.self) { _ = try registry.makeAttack("fgsm").perturb(badLabels, model: model, seed: 0) }
  }

  @Test func optionsAreValidatedAgainstTheSchema() throws {
    #expect { _ = try registry.makeAttack("pgd-linf:epsilon=0.1") } throws: {
      "\($0)".contains("pgd-linf:epsilon") && "\($0)".contains("unknown option") && "\($0)".contains("eps")
    }
    #expect { _ = try registry.makeAttack("pgd-linf:eps=2") } throws: { "\($0)".contains("above the maximum 1") }
    #expect { _ = try registry.makeAttack("pgd-linf:steps=ten") } throws: { "\($0)".contains("not an integer") }
    // The error lists every spelling the header accepts, and each of them is accepted.
    #expect { _ = try registry.makeAttack("pgd-linf:targeted=maybe") } throws: {
      "\($0)".contains("'maybe' is not a boolean (true/false, yes/no or 1/0)")
    }
    for spelling in ["true", "false", "yes", "no", "1", "0", "YES"] { _ = try registry.makeAttack("pgd-linf:targeted=\(spelling)") }
    #expect { _ = try registry.makeAttack("pgd-linf:space=pixels") } throws: { "\($0)".contains("pixel, normalized") }
    #expect { _ = try registry.makeAttack("free") } throws: { "\($0)".contains("is a mask plugin") }
    #expect { _ = try registry.makeAttack("nope") } throws: { "\($0)".contains("available: fgsm") }
  }
}
