import FourierLensPluginKit

/// Projected gradient descent on the model's loss, shared by fgsm, pgd-linf, pgd-l2 and
/// pgd-band.
///
/// The perturbation is optimised in "budget units" u, with δ = s ⊙ u where s is 1 per
/// channel (ε stated in pixel space, the default) or the model's std (ε stated in the
/// model's normalised input space, as the paper states its adversarial-training budget).
/// Each step: x' = clamp(x + s⊙u, 0, 1); g = ∂loss/∂x' from the host; g_u = s ⊙ g (minus
/// for targeted attacks); optional band projection P(g_u); u += α·sign(g_u) (L∞) or
/// α·g_u/‖g_u‖₂ (L2, per image); then u is projected: band P(u), the ε-ball, and (without
/// a band) the pixel box so that x + s⊙u stays in [0, 1]. With restarts, each image keeps
/// the restart with the largest margin (max_{j≠y} z_j − z_y, or z_t − max_{j≠t} z_j when
/// targeted). The output clamp(x + s⊙u, 0, 1) only shrinks |δ| per pixel, so the budget
/// ‖δ/s‖ ≤ ε always holds.
struct PGDConfig {
  enum Norm { case linf, l2 }
  var norm: Norm
  var eps: Float
  var alpha: Float
  var steps: Int
  var restarts: Int
  var randomStart: Bool
  var targeted: Bool
  /// Target class for targeted attacks; −1 = (label + 1) mod K.
  var target: Int
  var objective: PluginModel.Objective
  var normalisedSpace: Bool
}

/// A linear projection of perturbations onto a frequency band (pgd-band).
protocol PerturbationProjector {
  /// Projects `values` (an NCHW batch of perturbations) in place.
  func project(_ values: UnsafeMutableBufferPointer<Float>, shape: BatchShape) throws
}

enum PGD {
  static func run(_ config: PGDConfig, projector: PerturbationProjector?, model: PluginModel,
                  images: UnsafeBufferPointer<Float>, shape: BatchShape, labels: UnsafeBufferPointer<Int32>,
                  seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws {
    let n = shape.count, d = shape.imageSize, hw = shape.planeSize, c = shape.channels
    let total = shape.elementCount
    let k = model.classes
    guard c == model.channels else { throw PluginError.invalidArgument("the batch has \(c) channels, the model \(model.channels)") }
    // Labels the loss is taken against: the true ones, or the targets.
    var lossLabels = [Int32](labels)
    if config.targeted {
      for i in 0..<n {
        if config.target >= 0 {
          guard config.target < k else { throw PluginError.invalidArgument("target class \(config.target) but the model has \(k) classes") }
          lossLabels[i] = Int32(config.target)
        } else {
          lossLabels[i] = Int32((Int(labels[i]) + 1) % k)
        }
      }
    }
    // Per-element scale s (pixel units per budget unit).
    let std = model.std
    var scale = [Float](repeating: 1, count: total)
    if config.normalisedSpace {
      guard std.count == c, std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
        throw PluginError.invalidArgument("space=normalized needs a positive std per channel, the model has \(std)")
      }
      for i in 0..<n { for ch in 0..<c { for p in 0..<hw { scale[i * d + ch * hw + p] = std[ch] } } }
    }

    var best = [Float](repeating: -.infinity, count: n)
    var u = [Float](repeating: 0, count: total)
    var adv = [Float](repeating: 0, count: total)
    for restart in 0..<max(1, config.restarts) {
      var rng = HostRandom(seed: try PluginHost.derive(seed, UInt64(restart)))
      // Start.
      if config.randomStart {
        switch config.norm {
        case .linf:
          u = try rng.uniform(count: total).map { config.eps * (2 * $0 - 1) }
        case .l2:
          u = try rng.gaussian(count: total)
          for i in 0..<n {
            let r = config.eps * (try rng.uniform(0, 1))
            let norm = l2(u, i * d, d)
            for j in i * d..<(i + 1) * d { u[j] = norm > 0 ? u[j] / norm * r : 0 }
          }
        }
      } else {
        for j in 0..<total { u[j] = 0 }
      }
      try constrain(&u, config, projector, shape, images, scale)

      for _ in 0..<config.steps {
        perturbed(images, u, scale, into: &adv)
        var g = try adv.withUnsafeBufferPointer { a in
          try lossLabels.withUnsafeBufferPointer { l in
            try model.lossAndGradient(a, count: n, labels: l, objective: config.objective).gradient
          }
        }
        for j in 0..<total { g[j] *= config.targeted ? -scale[j] : scale[j] }
        if let projector { try g.withUnsafeMutableBufferPointer { try projector.project($0, shape: shape) } }
        switch config.norm {
        case .linf:
          for j in 0..<total { u[j] += config.alpha * (g[j] > 0 ? 1 : (g[j] < 0 ? -1 : 0)) }
        case .l2:
          for i in 0..<n {
            let norm = l2(g, i * d, d)
            guard norm > 0 else { continue }
            for j in i * d..<(i + 1) * d { u[j] += config.alpha * g[j] / norm }
          }
        }
        try constrain(&u, config, projector, shape, images, scale)
      }

      perturbed(images, u, scale, into: &adv)
      if config.restarts <= 1 {
        // A single run is the answer: no forward pass is needed to choose between restarts.
        for j in 0..<total { output[j] = adv[j] }
        break
      }
      let logits = try adv.withUnsafeBufferPointer { try model.logits($0, count: n) }
      for i in 0..<n {
        let y = Int(lossLabels[i])
        var other = -Float.infinity
        for j in 0..<k where j != y { other = max(other, logits[i * k + j]) }
        let score = config.targeted ? logits[i * k + y] - other : other - logits[i * k + y]
        if score > best[i] || restart == 0 {
          best[i] = score
          for j in i * d..<(i + 1) * d { output[j] = adv[j] }
        }
      }
    }
  }

  /// x' = clamp(x + s⊙u, 0, 1).
  static func perturbed(_ x: UnsafeBufferPointer<Float>, _ u: [Float], _ s: [Float], into out: inout [Float]) {
    for j in 0..<u.count { out[j] = min(1, max(0, x[j] + s[j] * u[j])) }
  }

  static func l2(_ v: [Float], _ start: Int, _ count: Int) -> Float {
    var s: Float = 0
    for j in start..<start + count { s += v[j] * v[j] }
    return s.squareRoot()
  }

  /// Band projection, ε-ball, and (without a band) the pixel box.
  static func constrain(_ u: inout [Float], _ config: PGDConfig, _ projector: PerturbationProjector?, _ shape: BatchShape,
                        _ x: UnsafeBufferPointer<Float>, _ s: [Float]) throws {
    let n = shape.count, d = shape.imageSize
    if let projector { try u.withUnsafeMutableBufferPointer { try projector.project($0, shape: shape) } }
    switch config.norm {
    case .linf where projector == nil:
      for j in 0..<u.count { u[j] = min(config.eps, max(-config.eps, u[j])) }
    case .linf:
      // Scaling keeps the perturbation inside the band (clipping would not).
      for i in 0..<n {
        var m: Float = 0
        for j in i * d..<(i + 1) * d { m = max(m, abs(u[j])) }
        if m > config.eps { let f = config.eps / m; for j in i * d..<(i + 1) * d { u[j] *= f } }
      }
    case .l2:
      for i in 0..<n {
        let norm = l2(u, i * d, d)
        if norm > config.eps { let f = config.eps / norm; for j in i * d..<(i + 1) * d { u[j] *= f } }
      }
    }
    if projector == nil {
      for j in 0..<u.count { u[j] = (min(1, max(0, x[j] + s[j] * u[j])) - x[j]) / s[j] }
    }
  }
}
