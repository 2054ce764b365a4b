/// DeepFool restricted to a linear subspace of the input ("Hold me tight!",
/// Ortiz-Jiménez et al. 2020, their `subspace_deepfool`): the smallest L2 perturbation
/// inside the subspace that changes the model's prediction.
///
/// The class to leave is the model's own clean prediction y (as in the reference, so every
/// image has a margin). At r (starting at 0), for each candidate k (the `candidates` − 1
/// classes with the highest clean logits other than y): f_k = z_k − z_y and
/// w_k = P∇(z_k − z_y) at x + r, with P the orthogonal projector onto the subspace; the
/// nearest linearised boundary k̂ = argmin |f_k|/‖w_k‖ gives the step
/// r_i = max(|f_k̂|/‖w_k̂‖, 10⁻⁴)·w_k̂/‖w_k̂‖, and r += r_i. The prediction is checked at
/// x + (1 + overshoot)·r; the margin is ‖(1 + overshoot)·r‖₂ once it changes, and +∞ when it
/// has not after `steps` steps, when every w_k is zero (the subspace cannot move the
/// decision), or when ‖(1 + overshoot)·r‖ exceeds `limit`. The probe sets `limit` to the
/// pixel box's diameter √(C·H·W): no two images are farther apart, so a larger margin means
/// no image in the subspace flips (and float32 rounding, which leaves traces of every
/// direction in every subspace, would otherwise report margins of 10⁷). There is no
/// pixel-box clamp: the margin is a property of the function in input space, not of valid
/// images (the reference does not clamp either).
///
/// Gradients come from the classifier's cross-entropy input gradients:
/// CE(z, y) − CE(z, k) = z_k − z_y, so ∇(z_k − z_y) = ∇CE(·, y) − ∇CE(·, k), one call per step
/// on the batch repeated once per candidate with unit weights.
public struct SubspaceDeepFool: Sendable {
  public var steps: Int
  public var overshoot: Float
  public var candidates: Int
  /// Margins above this count as +∞ (see above).
  public var limit: Float

  public init(steps: Int = 100, overshoot: Float = 0.02, candidates: Int = 10, limit: Float = .infinity) {
    self.steps = steps
    self.overshoot = overshoot
    self.candidates = candidates
    self.limit = limit
  }

  /// Margins of `images` (pixel space NCHW) within the subspace `project` maps onto; `project`
  /// must be the orthogonal projector, applied to an NCHW batch of perturbations.
  public func margins(of model: Classifier, images: Tensor, project: (Tensor) throws -> Tensor) throws -> [Float] {
    let n = images.shape[0], d = images.strideOfFirstDimension, k = model.classCount
    let others = min(candidates, k) - 1
    guard n > 0 else { return [] }
    guard others >= 1 else { throw FourierLensError.badOption(name: "margins", reason: "the model has \(k) class; margins need two") }
    let clean = try model.logits(images)
    let labels = ProbeEvaluation.predictions(clean, classes: k)
    let rivals = (0..<n).map { i in
      (0..<k).filter { $0 != labels[i] }.sorted { clean[i * k + $0] > clean[i * k + $1] }.prefix(others).map { $0 }
    }
    var margins = [Float](repeating: .infinity, count: n)
    var r = [Float](repeating: 0, count: n * d)
    var active = Array(0..<n)
    let rows = others + 1
    for _ in 0..<steps where !active.isEmpty {
      // Row 0 of each image carries its label, rows 1... its rivals; all at x + r.
      var batch = [Float](repeating: 0, count: active.count * rows * d)
      var rowLabels = [Int](repeating: 0, count: active.count * rows)
      for (a, i) in active.enumerated() {
        for row in 0..<rows {
          let base = (a * rows + row) * d
          for j in 0..<d { batch[base + j] = images.data[i * d + j] + r[i * d + j] }
          rowLabels[a * rows + row] = row == 0 ? labels[i] : rivals[i][row - 1]
        }
      }
      let shape = [active.count * rows] + Array(images.shape.dropFirst())
      let result = try model.lossAndGradient(Tensor(shape: shape, data: batch), objective: .crossEntropy(labels: rowLabels),
                                             sampleWeights: [Float](repeating: 1, count: active.count * rows))
      // w_k for every rival row, projected together.
      var differences = [Float](repeating: 0, count: active.count * others * d)
      for a in active.indices {
        let own = a * rows * d
        for o in 0..<others {
          let rival = (a * rows + o + 1) * d, out = (a * others + o) * d
          for j in 0..<d { differences[out + j] = result.inputGradient.data[own + j] - result.inputGradient.data[rival + j] }
        }
      }
      let projected = try project(Tensor(shape: [active.count * others] + Array(images.shape.dropFirst()), data: differences)).data

      var stuck = Set<Int>()
      for (a, i) in active.enumerated() {
        let z = result.logits[(a * rows) * k ..< (a * rows + 1) * k].map { $0 }
        var best: (distance: Float, row: Int, norm: Float)?
        for o in 0..<others {
          let w = projected[(a * others + o) * d ..< (a * others + o + 1) * d]
          let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
          guard norm > 0, norm.isFinite else { continue }
          let distance = abs(z[rivals[i][o]] - z[labels[i]]) / norm
          if best == nil || distance < best!.distance { best = (distance, o, norm) }
        }
        guard let best else { stuck.insert(i); continue }
        let scale = max(best.distance, 1e-4) / best.norm
        let w = (a * others + best.row) * d
        for j in 0..<d { r[i * d + j] += scale * projected[w + j] }
        if (1 + overshoot) * norm(of: r, image: i, size: d) > limit { stuck.insert(i) }
      }
      active.removeAll { stuck.contains($0) }
      guard !active.isEmpty else { break }

      // Which images now leave their prediction at x + (1 + overshoot)·r.
      var pushed = [Float](repeating: 0, count: active.count * d)
      for (a, i) in active.enumerated() {
        for j in 0..<d { pushed[a * d + j] = images.data[i * d + j] + (1 + overshoot) * r[i * d + j] }
      }
      let z = try model.logits(Tensor(shape: [active.count] + Array(images.shape.dropFirst()), data: pushed))
      let now = ProbeEvaluation.predictions(z, classes: k)
      var still: [Int] = []
      for (a, i) in active.enumerated() {
        if now[a] == labels[i] { still.append(i); continue }
        margins[i] = (1 + overshoot) * norm(of: r, image: i, size: d)
      }
      active = still
    }
    return margins
  }

  private func norm(of r: [Float], image i: Int, size d: Int) -> Float {
    r[i * d ..< (i + 1) * d].reduce(0) { $0 + $1 * $1 }.squareRoot()
  }
}
