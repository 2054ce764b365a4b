/// The frequency transform a mask acts in.
public enum TransformKind: String, Codable, CaseIterable, Sendable {
  /// 2-D discrete Fourier transform (complex spectrum; masks in unshifted layout, DC at [0, 0]).
  case dft
  /// Orthonormal 2-D DCT-II (real coefficients; DC at [0, 0], frequencies grow right and down).
  case dct
}

/// How one mask is laid out: one H×W mask shared by all channels, or C×H×W.
public enum MaskLayout: String, Codable, Sendable {
  case shared, perChannel
}

/// Splits a shape [..., H, W] into (number of H×W planes, H, W).
func planeGeometry(_ shape: [Int], what: String) throws -> (planes: Int, height: Int, width: Int) {
  guard shape.count >= 2, let h = shape.dropLast().last, let w = shape.last, h > 0, w > 0 else {
    throw FourierLensError.shapeMismatch("\(what) needs a shape [..., H, W] with H, W > 0, got \(shape)")
  }
  return (shape.dropLast(2).reduce(1, *), h, w)
}
