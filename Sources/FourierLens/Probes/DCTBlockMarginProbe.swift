import Foundation

/// Margins along frequency subspaces ("Hold me tight!", Ortiz-Jiménez et al. 2020): for
/// every b×b block of the orthonormal DCT, the smallest L2 perturbation (pixel space)
/// inside the span of that block's basis images — in every channel — that changes each
/// image's prediction, found by `SubspaceDeepFool`; the median over the images per block
/// is a map of how far the decision boundary is along each band of frequencies. Small
/// medians: the network is sensitive (discriminative) there; +∞: the prediction of at least
/// half the images cannot be changed from that block (the model is invariant to it) by a
/// perturbation smaller than the pixel box's diameter √(C·H·W).
///
/// The reference slides blocks along the DCT's diagonal; here every block of the grid is
/// measured, so the map is (H/b)×(W/b) with block [i, j] covering coefficients
/// rows i·b..<(i+1)·b and columns j·b..<(j+1)·b (DC at [0, 0], as `flens spectrum
/// --transform dct` shows it).
public struct DCTBlockMarginProbe: Probe {
  public var name: String { Self.kind.name }
  public var block: Int
  public var attack: SubspaceDeepFool

  public init(block: Int = 8, attack: SubspaceDeepFool = SubspaceDeepFool()) throws {
    guard block >= 1 else { throw FourierLensError.badOption(name: "--probe margins", reason: "block must be ≥ 1, got \(block)") }
    guard attack.steps >= 1 else { throw FourierLensError.badOption(name: "--probe margins", reason: "steps must be ≥ 1, got \(attack.steps)") }
    guard attack.overshoot >= 0, attack.overshoot.isFinite else {
      throw FourierLensError.badOption(name: "--probe margins", reason: "overshoot must be ≥ 0, got \(attack.overshoot)")
    }
    guard attack.candidates >= 2 else {
      throw FourierLensError.badOption(name: "--probe margins", reason: "candidates must be ≥ 2, got \(attack.candidates)")
    }
    self.block = block
    self.attack = attack
  }

  /// The orthogonal projector onto the span of the DCT basis images of block [row, col]:
  /// x ↦ C⁻¹(1_block ⊙ C x) per plane (C orthonormal, so this is P = SSᵀ).
  public static func projector(row: Int, col: Int, block b: Int, height h: Int, width w: Int) -> (Tensor) throws -> Tensor {
    var indicator = [Float](repeating: 0, count: h * w)
    for y in row * b ..< (row + 1) * b { for x in col * b ..< (col + 1) * b { indicator[y * w + x] = 1 } }
    return { batch in
      var coefficients = try DCT2D.forward(batch)
      let plane = h * w
      for p in 0..<(coefficients.count / plane) { for j in 0..<plane { coefficients.data[p * plane + j] *= indicator[j] } }
      return try DCT2D.inverse(coefficients)
    }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let shape = context.dataset.info.shape
    let (h, w) = (shape[1], shape[2])
    guard h % block == 0, w % block == 0 else {
      throw FourierLensError.badOption(name: "--probe margins", reason: "block=\(block) does not divide the \(h)×\(w) images")
    }
    let (rows, cols) = (h / block, w / block)
    var attack = attack
    attack.limit = Float(shape.reduce(1, *)).squareRoot()
    let n = context.dataset.info.count
    // Keep the repeated gradient batch (one row per candidate) near the probe batch size.
    let chunk = max(1, context.batchSize / min(attack.candidates, context.model.classCount))
    let progress = ProgressReporter(label: "margins", total: rows * cols * n, quiet: !context.showsProgress)
    var margins = [Float](repeating: .infinity, count: rows * cols * n)
    for start in stride(from: 0, to: n, by: chunk) {
      let batch = try context.dataset.batch(Array(start..<min(n, start + chunk)))
      for row in 0..<rows {
        for col in 0..<cols {
          let project = Self.projector(row: row, col: col, block: block, height: h, width: w)
          let found = try attack.margins(of: context.model, images: batch.images, project: project)
          for (i, m) in found.enumerated() { margins[(row * cols + col) * n + start + i] = m }
          progress.advance(by: batch.count)
        }
      }
    }
    progress.finish()

    var medians = [Float](repeating: .infinity, count: rows * cols)
    var flipped = [Float](repeating: 0, count: rows * cols)
    var table = CSVTable(header: ["block_row", "block_col", "median_margin", "flipped_fraction", "images"])
    for b in 0..<(rows * cols) {
      let values = Array(margins[b * n ..< (b + 1) * n])
      medians[b] = Self.median(values)
      flipped[b] = n == 0 ? 0 : Float(values.filter { $0.isFinite }.count) / Float(n)
      table.append([b / cols, b % cols, medians[b], flipped[b], n])
    }
    func grid(_ v: [Float]) -> JSONValue { .array((0..<rows).map { r in JSONValue.numbers(v[r * cols ..< (r + 1) * cols]) }) }
    return ProbeOutput(
      json: ["block": .number(Double(block)), "steps": .number(Double(attack.steps)),
             "overshoot": .number(Double(attack.overshoot)), "candidates": .number(Double(attack.candidates)),
             "count": .number(Double(n)), "limit": .number(Double(attack.limit)),
             "layout": "DCT blocks: [i][j] covers coefficients rows i*block..<(i+1)*block, columns j*block..<(j+1)*block; DC at [0][0]",
             "median_margin": grid(medians), "flipped_fraction": grid(flipped)],
      table: table,
      arrays: ["median_margin": Tensor(shape: [rows, cols], data: medians),
               "margins": Tensor(shape: [rows, cols, n], data: margins)])
  }

  /// The median, counting +∞ (not flipped) as larger than every margin; +∞ when at least
  /// half the images could not be flipped.
  static func median(_ values: [Float]) -> Float {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let m = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2
  }
}

extension DCTBlockMarginProbe {
  public static let kind = ProbeKind(
    name: "margins", summary: "median L2 margin per DCT block (subspace DeepFool, \"Hold me tight!\"); +inf where it cannot flip",
    parameters: [
      ProbeParameter("block", .integer, default: "8", help: "DCT block size"),
      ProbeParameter("steps", .integer, default: "100", help: "DeepFool iterations"),
      ProbeParameter("overshoot", .number, default: "0.02", help: "DeepFool overshoot"),
      ProbeParameter("candidates", .integer, default: "10", help: "classes DeepFool considers"),
    ]
  ) { a, _ in
    try DCTBlockMarginProbe(block: a.int("block")!, attack: SubspaceDeepFool(
      steps: a.int("steps")!, overshoot: a.float("overshoot")!, candidates: a.int("candidates")!))
  }
}
