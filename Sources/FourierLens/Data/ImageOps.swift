/// Pixel operations on NCHW batches used by preprocessing: luma, resampling, cropping.
/// Inner loops run over raw buffers; weights are precomputed once per axis.
public enum ImageOps {
  /// ITU-R BT.601 luma Y = 0.299 R + 0.587 G + 0.114 B of an [N, 3, H, W] batch → [N, 1, H, W].
  public static func luma(_ t: Tensor) -> Tensor {
    precondition(t.rank == 4 && t.shape[1] == 3, "luma needs [N, 3, H, W], got \(t.shape)")
    let (n, plane) = (t.shape[0], t.shape[2] * t.shape[3])
    var out = [Float](repeating: 0, count: n * plane)
    t.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for b in 0 ..< n {
          let r = b * 3 * plane, g = r + plane, bl = g + plane, o = b * plane
          for i in 0 ..< plane {
            dst[o + i] = 0.299 * src[r + i] + 0.587 * src[g + i] + 0.114 * src[bl + i]
          }
        }
      }
    }
    return Tensor(shape: [n, 1, t.shape[2], t.shape[3]], data: out)
  }

  /// Resampling weights from `inSize` samples to `outSize`: for each output sample, the
  /// first input index and the normalised weights of the inputs it reads.
  struct ResampleTable {
    var starts: [Int]
    var counts: [Int]
    /// `maxCount` weights per output sample (unused ones zero).
    var weights: [Float]
    var maxCount: Int

    /// A triangle (tent) filter; when shrinking, its support is widened by the scale
    /// factor so every input pixel contributes (area-like antialiasing, as PIL's bilinear).
    /// When enlarging it is plain bilinear interpolation with edge clamping.
    init(inSize: Int, outSize: Int) {
      let scale = Double(inSize) / Double(outSize)
      let filterScale = max(scale, 1)
      let support = filterScale  // the tent has radius 1 in filter units
      maxCount = Int((support * 2).rounded(.up)) + 2
      starts = [Int](repeating: 0, count: outSize)
      counts = [Int](repeating: 0, count: outSize)
      weights = [Float](repeating: 0, count: outSize * maxCount)
      for i in 0 ..< outSize {
        let center = (Double(i) + 0.5) * scale
        let lo = max(Int((center - support).rounded(.down)), 0)
        let hi = min(Int((center + support).rounded(.up)), inSize)
        var w = [Double]()
        var total = 0.0
        for j in lo ..< hi {
          let x = (Double(j) + 0.5 - center) / filterScale
          let v = max(0, 1 - abs(x))
          w.append(v)
          total += v
        }
        // Trim zero weights at both ends so `count` stays within `maxCount`.
        var first = 0, last = w.count
        while first < last && w[first] == 0 { first += 1 }
        while last > first && w[last - 1] == 0 { last -= 1 }
        if first == last {  // cannot happen for sizes ≥ 1; nearest sample as a guard
          starts[i] = min(max(Int(center), 0), inSize - 1)
          counts[i] = 1
          weights[i * maxCount] = 1
          continue
        }
        starts[i] = lo + first
        counts[i] = min(last - first, maxCount)
        for k in 0 ..< counts[i] { weights[i * maxCount + k] = Float(w[first + k] / total) }
      }
    }
  }

  /// Resizes every plane of an [N, C, H, W] batch to height × width (separable: rows, then columns).
  public static func resize(_ t: Tensor, height outH: Int, width outW: Int) -> Tensor {
    precondition(t.rank == 4 && outH > 0 && outW > 0)
    let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
    let planes = n * c
    let rows = ResampleTable(inSize: w, outSize: outW)
    let cols = ResampleTable(inSize: h, outSize: outH)
    var tmp = [Float](repeating: 0, count: h * outW)
    var out = [Float](repeating: 0, count: planes * outH * outW)
    t.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        tmp.withUnsafeMutableBufferPointer { mid in
          rows.weights.withUnsafeBufferPointer { rw in
            cols.weights.withUnsafeBufferPointer { cw in
              for p in 0 ..< planes {
                let inBase = p * h * w
                // Horizontal pass: [h, w] → [h, outW].
                for y in 0 ..< h {
                  let row = inBase + y * w
                  for x in 0 ..< outW {
                    let s = row + rows.starts[x], k = rows.counts[x], wb = x * rows.maxCount
                    var acc: Float = 0
                    for j in 0 ..< k { acc += rw[wb + j] * src[s + j] }
                    mid[y * outW + x] = acc
                  }
                }
                // Vertical pass: [h, outW] → [outH, outW], accumulated row by row.
                let outBase = p * outH * outW
                for y in 0 ..< outH {
                  let s = cols.starts[y], k = cols.counts[y], wb = y * cols.maxCount
                  let o = outBase + y * outW
                  for j in 0 ..< k {
                    let wj = cw[wb + j]
                    let r = (s + j) * outW
                    for x in 0 ..< outW { dst[o + x] += wj * mid[r + x] }
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [n, c, outH, outW], data: out)
  }

  /// The central height × width region of every plane of an [N, C, H, W] batch (the
  /// top-left corner rounds down when the margin is odd).
  public static func centerCrop(_ t: Tensor, height ch: Int, width cw: Int) -> Tensor {
    precondition(t.rank == 4 && ch <= t.shape[2] && cw <= t.shape[3])
    let (n, c, h, w) = (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
    let top = (h - ch) / 2, left = (w - cw) / 2
    var out = [Float](repeating: 0, count: n * c * ch * cw)
    t.data.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for p in 0 ..< n * c {
          for y in 0 ..< ch {
            let s = p * h * w + (top + y) * w + left
            let d = (p * ch + y) * cw
            for x in 0 ..< cw { dst[d + x] = src[s + x] }
          }
        }
      }
    }
    return Tensor(shape: [n, c, ch, cw], data: out)
  }
}
