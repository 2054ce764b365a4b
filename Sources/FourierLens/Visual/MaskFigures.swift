/// The figures a mask directory carries: the mask as a heat map and a strip of images
/// seen through it.
public enum MaskFigures {
  /// One mask (the channel mean of a C×H×W mask) as a turbo heat map with a colour bar,
  /// centred for the DFT (zero frequency in the middle), as is for the DCT (DC top-left).
  public static func maskHeatmap(_ values: [Float], shape: [Int], transform: TransformKind) throws -> RGBImage {
    let (h, w) = (shape[shape.count - 2], shape[shape.count - 1])
    let planes = values.count / (h * w)
    var mean = [Float](repeating: 0, count: h * w)
    for p in 0..<planes { for i in 0..<(h * w) { mean[i] += values[p * h * w + i] / Float(planes) } }
    let lo = min(0, mean.min() ?? 0), hi = max(1, mean.max() ?? 1)
    return try Heatmap(colormap: .turbo, range: .fixed(lo, hi), centre: transform == .dft, minimumSize: 256, colorBar: true)
      .render(mean, height: h, width: w)
  }

  /// Up to `count` originals (top row) above the same images seen through the mask
  /// (bottom row), scaled up so that small images are visible.
  public static func examples(original: Tensor, masked: Tensor, count: Int = 8) -> RGBImage {
    precondition(original.shape == masked.shape && original.rank == 4)
    let n = min(count, original.shape[0]), c = original.shape[1], h = original.shape[2], w = original.shape[3]
    let scale = max(1, 96 / max(h, w)), gap = 4
    let tileW = w * scale, tileH = h * scale
    let width = n * tileW + (n + 1) * gap, height = 2 * tileH + 3 * gap
    var pixels = [UInt8](repeating: 255, count: width * height * 3)
    for (row, t) in [original, masked].enumerated() {
      for i in 0..<n {
        for y in 0..<tileH {
          for x in 0..<tileW {
            let px = gap + i * (tileW + gap) + x, py = gap + row * (tileH + gap) + y
            for k in 0..<3 {
              let ch = c == 1 ? 0 : min(k, c - 1)
              let v = t.data[((i * c + ch) * h + y / scale) * w + x / scale]
              pixels[(py * width + px) * 3 + k] = UInt8((min(1, max(0, v)) * 255).rounded())
            }
          }
        }
      }
    }
    return RGBImage(width: width, height: height, pixels: pixels)
  }

  public static func write(_ image: RGBImage, to path: String) throws {
    try PNGCodec.write(pixels: image.pixels, width: image.width, height: image.height, channels: 3, to: path)
  }
}
