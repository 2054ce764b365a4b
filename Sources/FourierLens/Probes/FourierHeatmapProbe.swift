import Foundation

/// The Fourier heat map of Yin et al. (2019): the error rate when a Fourier basis image
/// of L2 norm ε is added to every image, for every frequency.
///
/// The basis image of frequency (i, j) is the real cosine U = cos(2π(i·y/H + j·x/W)),
/// scaled to unit L2 norm; each channel of each image gets r·ε·U with a random sign r, and
/// pixels are clipped to [0, 1]. U(i, j) = U(−i, −j), so half the frequencies are
/// evaluated and mirrored. The map is stored centred (zero frequency at [H/2, W/2]).
public struct FourierHeatmapProbe: Probe {
  public var eps: Float
  /// Probe the model seen through the context's mask instead of the plain model.
  public var throughMask: Bool
  public var name: String { Self.kind.name }

  public init(eps: Float = 4, throughMask: Bool = false) throws {
    guard eps.isFinite, eps > 0 else { throw FourierLensError.badOption(name: "heatmap eps", reason: "must be > 0, got \(eps)") }
    self.eps = eps
    self.throughMask = throughMask
  }

  /// The unit-norm real Fourier basis image of frequency (fy, fx) on an H×W grid.
  public static func basis(fy: Int, fx: Int, height h: Int, width w: Int) -> [Float] {
    var u = [Double](repeating: 0, count: h * w)
    for y in 0..<h {
      for x in 0..<w {
        u[y * w + x] = cos(2 * Double.pi * (Double(fy * y) / Double(h) + Double(fx * x) / Double(w)))
      }
    }
    let norm = u.reduce(0) { $0 + $1 * $1 }.squareRoot()
    return u.map { Float($0 / norm) }
  }

  public func run(_ context: ProbeContext) throws -> ProbeOutput {
    let model: Classifier
    if throughMask {
      guard let masked = try context.maskedModel() else {
        throw FourierLensError.badOption(name: "heatmap", reason: "through_mask needs --mask")
      }
      model = masked
    } else {
      model = context.model
    }
    let shape = context.dataset.info.shape
    let (c, h, w) = (shape[0], shape[1], shape[2])
    let n = context.dataset.info.count
    // Frequencies in centred coordinates: fy ∈ [−⌊H/2⌋, ⌈H/2⌉), fx likewise; visit one of each ± pair.
    var visits: [(fy: Int, fx: Int)] = []
    var seen = Set<Int>()
    func wrap(_ f: Int, _ size: Int) -> Int { ((f % size) + size) % size }
    for fy in -(h / 2) ..< (h - h / 2) {
      for fx in -(w / 2) ..< (w - w / 2) {
        let key = wrap(fy, h) * w + wrap(fx, w)
        let mirror = wrap(-fy, h) * w + wrap(-fx, w)
        if seen.contains(key) || seen.contains(mirror) { continue }
        seen.insert(key)
        visits.append((fy, fx))
      }
    }
    let progress = ProgressReporter(label: "heatmap", total: visits.count * n, quiet: !context.showsProgress)
    var error = [Float](repeating: 0, count: h * w)
    // Images are loaded once per batch and reused for every frequency.
    var wrong = [Int](repeating: 0, count: visits.count)
    for start in stride(from: 0, to: n, by: context.batchSize) {
      let batch = try context.dataset.batch(Array(start..<min(n, start + context.batchSize)))
      for (v, f) in visits.enumerated() {
        let u = Self.basis(fy: f.fy, fx: f.fx, height: h, width: w)
        var rng = SeededGenerator(seed: SeededGenerator.derive(SeededGenerator.derive(context.seed, UInt64(start)), UInt64(v)))
        var images = batch.images
        images.data.withUnsafeMutableBufferPointer { buf in
          for i in 0..<batch.count {
            for ch in 0..<c {
              let r: Float = rng.next() & 1 == 0 ? eps : -eps
              let base = (i * c + ch) * h * w
              for j in 0..<(h * w) { buf[base + j] = min(1, max(0, buf[base + j] + r * u[j])) }
            }
          }
        }
        let predicted = ProbeEvaluation.predictions(try model.logits(images), classes: model.classCount)
        wrong[v] += zip(predicted, batch.labels).filter { $0 != $1 }.count
        progress.advance(by: batch.count)
      }
    }
    progress.finish()
    var table = CSVTable(header: ["freq_y", "freq_x", "error_rate"])
    for (v, f) in visits.enumerated() {
      let rate = Float(wrong[v]) / Float(max(1, n))
      for (py, px) in [(f.fy, f.fx), (-f.fy, -f.fx)] {
        // Centred (fftshift) position of frequency (py, px). The mirror −f of a frequency on
        // the Nyquist row or column (fy = −H/2 for even H) lies outside the centred range,
        // but it aliases to a frequency on the grid: wrap it there instead of dropping it.
        let row = (wrap(py, h) + h / 2) % h, col = (wrap(px, w) + w / 2) % w
        error[row * w + col] = rate
      }
      table.append([f.fy, f.fx, rate])
    }
    let mean = error.reduce(0, +) / Float(error.count)
    return ProbeOutput(
      json: ["eps": .number(Double(eps)), "count": .number(Double(n)), "through_mask": .bool(throughMask),
             "mean_error_rate": .number(Double(mean)), "layout": "centred: zero frequency at [H/2, W/2], rows = vertical frequency",
             "error_rate": .array((0..<h).map { r in JSONValue.numbers(error[r * w ..< (r + 1) * w]) })],
      table: table, arrays: ["error": Tensor(shape: [h, w], data: error)])
  }
}

extension FourierHeatmapProbe {
  public static let kind = ProbeKind(
    name: "heatmap", summary: "Fourier heat map (Yin et al. 2019): error rate per added Fourier basis image",
    parameters: [
      ProbeParameter("eps", .number, default: "4", help: "L2 norm of the added basis image"),
      ProbeParameter("through_mask", .boolean, default: "false", help: "add it before the mask (the masked model's map)"),
    ]
  ) { a, _ in try FourierHeatmapProbe(eps: a.float("eps")!, throughMask: a.bool("through_mask")!) }
}
