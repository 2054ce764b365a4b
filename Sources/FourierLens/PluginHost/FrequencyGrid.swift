/// Frequency coordinates of transform coefficients in cycles per pixel, in the unshifted
/// layout the core's transforms and masks use: the `frequency_grid` host service, from
/// which smooth plugins (low-pass masks, band-limited attacks and augmentations) compute
/// radii. Discrete bands and sectors are `FrequencyBands` (the `band_map` service).
public enum FrequencyGrid {
  /// Signed frequency (cycles per sample) of coefficient `k` of an axis of length `n`:
  /// DFT: NumPy's fftfreq (k/n for k < ⌈n/2⌉, else (k−n)/n), in [−0.5, 0.5);
  /// DCT-II: k/(2n), in [0, 0.5).
  @inline(__always)
  public static func frequency(_ k: Int, _ n: Int, _ transform: TransformKind) -> Float {
    switch transform {
    case .dft: return Float(k < (n + 1) / 2 ? k : k - n) / Float(n)
    case .dct: return Float(k) / Float(2 * n)
    }
  }

  /// fy and fx of every coefficient of an H×W plane (row-major, unshifted).
  public static func coordinates(_ transform: TransformKind, height: Int, width: Int) -> (fy: [Float], fx: [Float]) {
    var fy = [Float](repeating: 0, count: height * width)
    var fx = fy
    for y in 0..<height {
      let v = frequency(y, height, transform)
      for x in 0..<width {
        fy[y * width + x] = v
        fx[y * width + x] = frequency(x, width, transform)
      }
    }
    return (fy, fx)
  }

  /// √(fy² + fx²) / (0.5·√2) of every coefficient: 0 at DC, 1 at the corner of the centred
  /// DFT spectrum (|fy| = |fx| = 0.5); DCT frequencies stay just below 1.
  public static func normalisedRadius(_ transform: TransformKind, height: Int, width: Int) -> [Float] {
    let (fy, fx) = coordinates(transform, height: height, width: width)
    let corner = Float(0.5 * 2.0.squareRoot())
    return zip(fy, fx).map { min(1, ($0 * $0 + $1 * $1).squareRoot() / corner) }
  }
}
