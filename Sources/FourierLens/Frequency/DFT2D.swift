/// The 2-D discrete Fourier transform of every H×W plane of a tensor [..., H, W]
/// (for an NCHW batch: every channel of every image), through cached FFTW plans.
///
/// Conventions (NumPy's `fft2`): forward X(k) = Σ_n x(n) e^{−2πi(k₁n₁/H + k₂n₂/W)},
/// unnormalised; inverse with 1/(HW). Spectra are in the unshifted layout (DC at [0, 0]);
/// use `SpectrumShift` to centre them for display.
public enum DFT2D {
  /// Half spectrum of every real plane, shape [..., H, W/2+1] (the rest follows from
  /// Hermitian symmetry X(−k) = conj X(k)). The fastest path for real images.
  public static func forwardHalf(_ x: Tensor) throws -> ComplexTensor {
    let (planes, h, w) = try planeGeometry(x.shape, what: "DFT input")
    let hw = w / 2 + 1
    var shape = x.shape
    shape[shape.count - 1] = hw
    guard planes > 0 else { return ComplexTensor(shape: shape, real: [], imag: []) }
    let input = FFTWBuffer(count: planes * h * w, zeroed: false)
    input.copy(from: x.data)
    let output = FFTWBuffer(count: planes * 2 * h * hw, zeroed: false)
    FFTWExecute.realToHalf(planes: planes, height: h, width: w, input: input, output: output)
    let (re, im) = deinterleave(output, count: planes * h * hw)
    return ComplexTensor(shape: shape, real: re, imag: im)
  }

  /// Real planes [..., H, width] from half spectra [..., H, width/2+1], with the 1/(HW)
  /// normalisation. Imaginary parts that Hermitian symmetry forces to zero (DC and, for
  /// even sizes, Nyquist columns) are ignored, as in NumPy's `irfft2`.
  public static func inverseHalf(_ spectrum: ComplexTensor, width: Int) throws -> Tensor {
    let (planes, h, hw) = try planeGeometry(spectrum.shape, what: "inverse DFT input")
    guard width > 0, width / 2 + 1 == hw else {
      throw FourierLensError.shapeMismatch("a half spectrum with \(hw) columns does not belong to width \(width)")
    }
    var shape = spectrum.shape
    shape[shape.count - 1] = width
    guard planes > 0 else { return Tensor(zeros: shape) }
    let input = FFTWBuffer(count: planes * 2 * h * hw, zeroed: false)
    interleave(spectrum.real, spectrum.imag, into: input)
    let output = FFTWBuffer(count: planes * h * width, zeroed: false)
    FFTWExecute.halfToReal(planes: planes, height: h, width: width, input: input, output: output)
    let scale = 1 / Float(h * width)
    var out = output.array(count: planes * h * width)
    out.withUnsafeMutableBufferPointer { p in for i in p.indices { p[i] *= scale } }
    return Tensor(shape: shape, data: out)
  }

  /// Full spectrum [..., H, W] of every real plane.
  public static func forward(_ x: Tensor) throws -> ComplexTensor {
    let half = try forwardHalf(x)
    let (planes, h, w) = try planeGeometry(x.shape, what: "DFT input")
    let hw = w / 2 + 1
    var re = [Float](repeating: 0, count: planes * h * w)
    var im = re
    re.withUnsafeMutableBufferPointer { rp in
      im.withUnsafeMutableBufferPointer { ip in
        half.real.withUnsafeBufferPointer { hr in
          half.imag.withUnsafeBufferPointer { hi in
            for p in 0..<planes {
              let src = p * h * hw, dst = p * h * w
              for k1 in 0..<h {
                for k2 in 0..<w {
                  if k2 < hw {
                    rp[dst + k1 * w + k2] = hr[src + k1 * hw + k2]
                    ip[dst + k1 * w + k2] = hi[src + k1 * hw + k2]
                  } else {
                    // X(k₁, k₂) = conj X(−k₁, −k₂) for real input.
                    let m1 = (h - k1) % h, m2 = w - k2
                    rp[dst + k1 * w + k2] = hr[src + m1 * hw + m2]
                    ip[dst + k1 * w + k2] = -hi[src + m1 * hw + m2]
                  }
                }
              }
            }
          }
        }
      }
    }
    return ComplexTensor(shape: x.shape, real: re, imag: im)
  }

  /// Full spectrum [..., H, W] of every complex plane (unnormalised).
  public static func forward(_ x: ComplexTensor) throws -> ComplexTensor {
    try complexTransform(x, forward: true)
  }

  /// Inverse DFT [..., H, W] of every complex plane, with the 1/(HW) normalisation.
  public static func inverse(_ spectrum: ComplexTensor) throws -> ComplexTensor {
    try complexTransform(spectrum, forward: false)
  }

  private static func complexTransform(_ x: ComplexTensor, forward: Bool) throws -> ComplexTensor {
    let (planes, h, w) = try planeGeometry(x.shape, what: forward ? "DFT input" : "inverse DFT input")
    guard planes > 0 else { return x }
    let n = planes * h * w
    let input = FFTWBuffer(count: 2 * n, zeroed: false), output = FFTWBuffer(count: 2 * n, zeroed: false)
    interleave(x.real, x.imag, into: input)
    FFTWExecute.complex(forward: forward, planes: planes, height: h, width: w, input: input, output: output)
    var (re, im) = deinterleave(output, count: n)
    if !forward {
      let s = 1 / Float(h * w)
      for i in 0..<n { re[i] *= s; im[i] *= s }
    }
    return ComplexTensor(shape: x.shape, real: re, imag: im)
  }

  static func interleave(_ re: [Float], _ im: [Float], into buffer: FFTWBuffer) {
    precondition(buffer.count >= 2 * re.count && re.count == im.count)
    let p = buffer.pointer
    re.withUnsafeBufferPointer { r in
      im.withUnsafeBufferPointer { i in
        for k in 0..<r.count { p[2 * k] = r[k]; p[2 * k + 1] = i[k] }
      }
    }
  }

  static func deinterleave(_ buffer: FFTWBuffer, count n: Int) -> ([Float], [Float]) {
    precondition(buffer.count >= 2 * n)
    var re = [Float](repeating: 0, count: n), im = re
    let p = buffer.pointer
    re.withUnsafeMutableBufferPointer { r in
      im.withUnsafeMutableBufferPointer { i in
        for k in 0..<n { r[k] = p[2 * k]; i[k] = p[2 * k + 1] }
      }
    }
    return (re, im)
  }
}
