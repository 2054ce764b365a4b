import FourierLens

/// Per-channel statistics of a dataset, for the normalisation a new model applies.
public enum DatasetStatistics {
  /// Mean and standard deviation of every channel over all pixels of the first `limit`
  /// images (sums in double precision). A constant channel gets std 1 rather than 0.
  public static func channelMeanAndStd(_ dataset: Dataset, limit: Int = 10_000, batchSize: Int = 500) throws -> (mean: [Float], std: [Float]) {
    let shape = dataset.info.shape
    guard shape.count == 3 else { throw FourierLensError.shapeMismatch("images are [C, H, W], the dataset says \(shape)") }
    let (c, plane) = (shape[0], shape[1] * shape[2])
    let total = min(limit, dataset.info.count)
    guard total > 0 else { throw FourierLensError.message("the dataset is empty") }
    var sum = [Double](repeating: 0, count: c), squares = [Double](repeating: 0, count: c)
    var start = 0
    while start < total {
      let end = min(start + batchSize, total)
      let batch = try dataset.batch(Array(start ..< end))
      batch.images.data.withUnsafeBufferPointer { d in
        for i in 0 ..< batch.count {
          for k in 0 ..< c {
            var s = 0.0, q = 0.0
            let base = (i * c + k) * plane
            for j in 0 ..< plane {
              let v = Double(d[base + j])
              s += v
              q += v * v
            }
            sum[k] += s
            squares[k] += q
          }
        }
      }
      start = end
    }
    let n = Double(total * plane)
    let mean = sum.map { $0 / n }
    let std = zip(squares, mean).map { q, m -> Double in
      let variance = max(0, q / n - m * m)
      return variance > 1e-12 ? variance.squareRoot() : 1
    }
    return (mean.map { Float($0) }, std.map { Float($0) })
  }
}
