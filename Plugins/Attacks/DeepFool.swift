import FourierLensPluginKit

/// DeepFool (Moosavi-Dezfooli et al. 2016): a minimum-norm attack that linearises the
/// classifier around the current point and steps to the nearest linearised decision
/// boundary, until the prediction leaves the label.
///
/// At iterate x_i, for each candidate class k (the `candidates` − 1 classes with the
/// highest clean logits other than the label y): f_k = z_k − z_y and w_k = ∇f_k. L2: the
/// closest boundary is k̂ = argmin |f_k|/‖w_k‖₂ and the step r = (|f_k̂|/‖w_k̂‖₂ + 10⁻⁴)·w_k̂/‖w_k̂‖₂;
/// L∞: k̂ = argmin |f_k|/‖w_k‖₁ and r = (|f_k̂|/‖w_k̂‖₁ + 10⁻⁴)·sign(w_k̂) (the 10⁻⁴ is the
/// reference implementation's, so a point exactly on a boundary still moves). The steps add
/// up to r_tot and x_{i+1} = clamp(x + (1 + overshoot)·r_tot, 0, 1): the overshoot pushes the
/// point just past the boundary, and the clamp keeps every iterate a valid image, so the
/// gradients are taken where the answer will be. For a linear two-class model the first
/// step is exact: ‖δ‖₂ = (1 + overshoot)(|w·x + b|/‖w‖₂ + 10⁻⁴) (L∞: ‖w‖₁).
///
/// The host's callbacks give input gradients of cross-entropy, and
/// CE(z, y) − CE(z, k) = z_k − z_y, so ∇f_k = ∇CE(·, y) − ∇CE(·, k): one loss_grad call per
/// step on the batch repeated once per candidate (weights 1 each) gives every w_k.
/// Images already misclassified are returned unchanged; an image whose candidates all have
/// zero gradient cannot move and is returned at its last iterate.
final class DeepFoolAttack: AttackPlugin {
  static let name = "deepfool"
  static let summary = "DeepFool minimum-norm attack (L2 or L-infinity): steps to the nearest linearised decision boundary"
  static let parameters: [PluginParameter] = [
    .choice("norm", ["l2", "linf"], default: "l2", help: "the norm whose distance to the boundary is minimised"),
    .int("steps", default: 50, min: 1, max: 100_000, help: "most linearisation steps per image"),
    .float("overshoot", default: 0.02, min: 0, max: 10, help: "the total step is (1 + overshoot) times the linearised distance"),
    .int("candidates", default: 10, min: 2, max: 100_000,
         help: "classes considered: the label and the highest-scoring others (capped at the model's classes)"),
  ]

  enum Norm { case l2, linf }
  let norm: Norm
  let steps: Int
  let overshoot: Float
  let candidates: Int

  init(options: PluginOptions) throws {
    norm = try options.string("norm") == "linf" ? .linf : .l2
    steps = try options.int("steps")
    overshoot = try options.float("overshoot")
    candidates = try options.int("candidates")
  }

  func run(model: PluginModel, images: UnsafeBufferPointer<Float>, shape: BatchShape, labels: UnsafeBufferPointer<Int32>,
           seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws {
    let n = shape.count, d = shape.imageSize, k = model.classes
    guard shape.channels == model.channels else {
      throw PluginError.invalidArgument("the batch has \(shape.channels) channels, the model \(model.channels)")
    }
    for j in 0..<shape.elementCount { output[j] = images[j] }
    let others = min(candidates, k) - 1
    guard others >= 1, n > 0 else { return }

    // Candidate classes per image, from the clean logits; misclassified images stay as they are.
    let clean = try model.logits(images, count: n)
    var rivals = [[Int32]](repeating: [], count: n)
    var active: [Int] = []
    for i in 0..<n {
      let row = Array(clean[i * k ..< (i + 1) * k]), y = Int(labels[i])
      guard predicted(row) == y else { continue }
      rivals[i] = (0..<k).filter { $0 != y }.sorted { row[$0] > row[$1] }.prefix(others).map { Int32($0) }
      active.append(i)
    }

    var total = [Float](repeating: 0, count: n * d)
    for _ in 0..<steps where !active.isEmpty {
      // Gradients at the current iterates: row 0 of each image has its label, rows 1... its rivals.
      let rows = others + 1
      var batch = [Float](repeating: 0, count: active.count * rows * d)
      var rowLabels = [Int32](repeating: 0, count: active.count * rows)
      for (a, i) in active.enumerated() {
        for r in 0..<rows {
          let base = (a * rows + r) * d
          for j in 0..<d { batch[base + j] = output[i * d + j] }
          rowLabels[a * rows + r] = r == 0 ? labels[i] : rivals[i][r - 1]
        }
      }
      let (losses, gradient) = try batch.withUnsafeBufferPointer { b in
        try rowLabels.withUnsafeBufferPointer { l in
          try model.lossAndGradient(b, count: active.count * rows, labels: l, objective: .crossEntropy,
                                    weights: [Float](repeating: 1, count: active.count * rows))
        }
      }
      var stuck = Set<Int>()
      for (a, i) in active.enumerated() {
        guard let step = closestBoundaryStep(losses: losses, gradient: gradient, image: a, rows: rows, size: d) else {
          stuck.insert(i)
          continue
        }
        for j in 0..<d {
          total[i * d + j] += step[j]
          output[i * d + j] = min(1, max(0, images[i * d + j] + (1 + overshoot) * total[i * d + j]))
        }
      }
      // Images that now leave their label (or cannot move) are done.
      active.removeAll { stuck.contains($0) }
      guard !active.isEmpty else { break }
      var current = [Float](repeating: 0, count: active.count * d)
      for (a, i) in active.enumerated() { for j in 0..<d { current[a * d + j] = output[i * d + j] } }
      let z = try current.withUnsafeBufferPointer { try model.logits($0, count: active.count) }
      active = active.enumerated().filter { a, i in predicted(Array(z[a * k ..< (a + 1) * k])) == Int(labels[i]) }.map { $0.1 }
    }
  }

  /// The step towards the nearest linearised boundary of image `a` in the repeated batch,
  /// or nil when every candidate's gradient is zero.
  private func closestBoundaryStep(losses: [Float], gradient: [Float], image a: Int, rows: Int, size d: Int) -> [Float]? {
    let own = (a * rows) * d
    var best: (distance: Float, w: [Float], norm: Float)?
    for r in 1..<rows {
      let rival = (a * rows + r) * d
      // w = ∇(z_k − z_y) = ∇CE(y) − ∇CE(k); f = z_k − z_y = CE(y) − CE(k).
      let w = (0..<d).map { gradient[own + $0] - gradient[rival + $0] }
      let f = losses[a * rows] - losses[a * rows + r]
      let size = norm == .l2 ? w.reduce(0) { $0 + $1 * $1 }.squareRoot() : w.reduce(0) { $0 + abs($1) }
      guard size > 0, size.isFinite else { continue }
      let distance = abs(f) / size
      if best == nil || distance < best!.distance { best = (distance, w, size) }
    }
    guard let best else { return nil }
    // The step's length (in the attack's norm) is the linearised distance plus 10⁻⁴.
    let length = best.distance + 1e-4
    switch norm {
    case .l2:
      return best.w.map { $0 * length / best.norm }
    case .linf:
      return best.w.map { $0 > 0 ? length : ($0 < 0 ? -length : 0) }
    }
  }

  private func predicted(_ row: [Float]) -> Int {
    var top = 0
    for j in 1..<row.count where row[j] > row[top] { top = j }
    return top
  }
}
