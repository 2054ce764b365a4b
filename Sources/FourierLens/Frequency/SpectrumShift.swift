/// Moves the zero frequency of every H×W plane to the centre (`fftshift`) and back
/// (`ifftshift`), exactly as NumPy does for any size, odd included.
///
/// fftshift puts unshifted index r at (r + ⌊H/2⌋) mod H, so DC lands at (⌊H/2⌋, ⌊W/2⌋);
/// ifftshift is its inverse (the two differ only for odd sizes).
public enum SpectrumShift {
  /// `values` holds planes of H×W back to back.
  public static func fftshift<T>(_ values: [T], height: Int, width: Int) -> [T] {
    roll(values, height: height, width: width, rowShift: height / 2, columnShift: width / 2)
  }

  public static func ifftshift<T>(_ values: [T], height: Int, width: Int) -> [T] {
    roll(values, height: height, width: width, rowShift: height - height / 2, columnShift: width - width / 2)
  }

  /// Shifts the trailing two axes of a tensor [..., H, W].
  public static func fftshift(_ t: Tensor) throws -> Tensor {
    let (_, h, w) = try planeGeometry(t.shape, what: "fftshift input")
    return Tensor(shape: t.shape, data: fftshift(t.data, height: h, width: w))
  }

  public static func ifftshift(_ t: Tensor) throws -> Tensor {
    let (_, h, w) = try planeGeometry(t.shape, what: "ifftshift input")
    return Tensor(shape: t.shape, data: ifftshift(t.data, height: h, width: w))
  }

  /// Circular shift: output[(r + rowShift) mod H, (c + columnShift) mod W] = input[r, c].
  private static func roll<T>(_ values: [T], height h: Int, width w: Int, rowShift: Int, columnShift: Int) -> [T] {
    precondition(h > 0 && w > 0 && values.count % (h * w) == 0, "shift of \(values.count) values as \(h)×\(w) planes")
    guard !values.isEmpty else { return values }
    var out = values
    let plane = h * w
    values.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for base in stride(from: 0, to: values.count, by: plane) {
          for r in 0..<h {
            let r2 = (r + rowShift) % h
            for c in 0..<w {
              dst[base + r2 * w + (c + columnShift) % w] = src[base + r * w + c]
            }
          }
        }
      }
    }
    return out
  }
}
