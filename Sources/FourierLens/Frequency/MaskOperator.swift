import Foundation

/// x_M = T⁻¹(M ⊙ T(x)) (real part for the DFT) for an NCHW batch, and its adjoints.
/// Holds T(x) between calls so mask updates on the same batch do not re-transform x.
///
/// Masks are real. A DFT mask has one value per frequency of the full H×W spectrum in the
/// unshifted layout ([0, 0] is DC); a DCT mask has one value per DCT-II coefficient.
///
/// How the DFT path is computed: for real x, Re(IDFT(M ⊙ X)) = IDFT(M_s ⊙ X) with the
/// Hermitian-symmetric, real M_s(k) = (M(k) + M(−k))/2, so the whole operation runs on
/// half spectra (FFTW r2c / c2r). The operator x ↦ x_M is then real and symmetric, so
/// ∂L/∂x = (same operation on ∂L/∂x_M), and ∂L/∂M(k) = Re(X(k) conj G(k))/(HW) with G the
/// DFT of ∂L/∂x_M, which is symmetric in k, so it is computed on the half spectrum and mirrored.
/// For the orthonormal DCT C: x_M = Cᵀ(M ⊙ Cx), ∂L/∂x = Cᵀ(M ⊙ Cg), ∂L/∂M = Cx ⊙ Cg.
///
/// Calls after `setInput` may run concurrently; `setInput` must not overlap other calls.
public final class MaskOperator {
  public let kind: TransformKind
  public let channels: Int
  public let height: Int
  public let width: Int
  public let layout: MaskLayout

  /// Columns of a half spectrum (DFT) or of a coefficient plane (DCT).
  private let spectrumWidth: Int
  /// Floats per plane of T(x): interleaved complex half spectrum, or real DCT coefficients.
  private let spectrumPlaneFloats: Int
  /// DCT only: (a(k₁)b(k₂))², turning FFTW's REDFT10 products into orthonormal ones.
  private let dctGradientWeights: [Float]
  /// T(x) of the current input (FFTW's unnormalised output), and its image count.
  private var spectrum: FFTWBuffer?
  private var imageCount = 0

  public init(kind: TransformKind, channels: Int, height: Int, width: Int, layout: MaskLayout) throws {
    guard channels > 0, height > 0, width > 0 else {
      throw FourierLensError.shapeMismatch("mask operator needs C, H, W > 0, got \(channels)×\(height)×\(width)")
    }
    self.kind = kind
    self.channels = channels
    self.height = height
    self.width = width
    self.layout = layout
    switch kind {
    case .dft:
      spectrumWidth = width / 2 + 1
      spectrumPlaneFloats = 2 * height * spectrumWidth
      dctGradientWeights = []
    case .dct:
      spectrumWidth = width
      spectrumPlaneFloats = height * width
      let a = DCT2D.forwardScale(height).map { $0 * $0 }, b = DCT2D.forwardScale(width).map { $0 * $0 }
      dctGradientWeights = DCT2D.scaleTable(a, b)
    }
  }

  /// [H, W] or [C, H, W].
  public var maskShape: [Int] { layout == .shared ? [height, width] : [channels, height, width] }

  /// Values in one mask.
  public var maskSize: Int { maskShape.reduce(1, *) }

  /// Shape of the current input, nil before `setInput`.
  public var inputShape: [Int]? { spectrum == nil ? nil : [imageCount, channels, height, width] }

  /// NCHW; computes and keeps T(x).
  public func setInput(_ images: Tensor) throws {
    try checkBatchShape(images.shape, what: "mask operator input")
    guard images.isFinite else { throw FourierLensError.nonFinite("mask operator input holds NaN or infinity") }
    imageCount = images.shape[0]
    spectrum = transform(images)
  }

  /// `masks` holds `maskCount` masks back to back; image i uses mask `assignment[i]` (nil = all use mask 0).
  /// One mechanism for dataset (1 mask), class (mask per label) and image (mask per image) scopes.
  public func apply(masks: [Float], maskCount: Int, assignment: [Int]?) throws -> Tensor {
    let (x, assign) = try prepare(masks: masks, maskCount: maskCount, assignment: assignment)
    return filter(spectrumOf: x, masks: masks, maskCount: maskCount, assignment: assign)
  }

  /// ∂L/∂masks given ∂L/∂x_M (same shape as the input), accumulated over the images assigned to each mask.
  /// The operator is linear in the mask, so the values of `masks` do not enter (only their count is checked).
  public func maskGradient(masks: [Float], maskCount: Int, assignment: [Int]?, outputGradient: Tensor) throws -> [Float] {
    let (x, assign) = try prepare(masks: masks, maskCount: maskCount, assignment: assignment)
    let g = try transformGradient(outputGradient)
    return maskGradient(inputSpectrum: x, gradientSpectrum: g, maskCount: maskCount, assignment: assign)
  }

  /// ∂L/∂x given ∂L/∂x_M.
  public func inputGradient(masks: [Float], maskCount: Int, assignment: [Int]?, outputGradient: Tensor) throws -> Tensor {
    let (_, assign) = try prepare(masks: masks, maskCount: maskCount, assignment: assignment)
    let g = try transformGradient(outputGradient)
    return filter(spectrumOf: g, masks: masks, maskCount: maskCount, assignment: assign)
  }

  /// Both adjoints at once, transforming ∂L/∂x_M only once.
  public func gradients(masks: [Float], maskCount: Int, assignment: [Int]?,
                        outputGradient: Tensor) throws -> (mask: [Float], input: Tensor) {
    let (x, assign) = try prepare(masks: masks, maskCount: maskCount, assignment: assignment)
    let g = try transformGradient(outputGradient)
    let mask = maskGradient(inputSpectrum: x, gradientSpectrum: g, maskCount: maskCount, assignment: assign)
    return (mask, filter(spectrumOf: g, masks: masks, maskCount: maskCount, assignment: assign))
  }

  // MARK: - Checks

  private func checkBatchShape(_ shape: [Int], what: String) throws {
    guard shape.count == 4, shape[1] == channels, shape[2] == height, shape[3] == width else {
      throw FourierLensError.shapeMismatch("\(what) must be [N, \(channels), \(height), \(width)], got \(shape)")
    }
  }

  private func prepare(masks: [Float], maskCount: Int, assignment: [Int]?) throws -> (FFTWBuffer, [Int]) {
    guard let x = spectrum else {
      throw FourierLensError.message("mask operator: setInput must be called before applying masks")
    }
    guard maskCount >= 1, masks.count == maskCount * maskSize else {
      throw FourierLensError.shapeMismatch(
        "\(maskCount) masks of shape \(maskShape) need \(max(maskCount, 0) * maskSize) values, got \(masks.count)")
    }
    guard masks.allSatisfy({ $0.isFinite }) else { throw FourierLensError.nonFinite("mask holds NaN or infinity") }
    let assign = assignment ?? [Int](repeating: 0, count: imageCount)
    guard assign.count == imageCount else {
      throw FourierLensError.shapeMismatch("mask assignment has \(assign.count) entries for \(imageCount) images")
    }
    if let bad = assign.first(where: { $0 < 0 || $0 >= maskCount }) {
      throw FourierLensError.shapeMismatch("mask assignment \(bad) is outside 0..<\(maskCount)")
    }
    return (x, assign)
  }

  private func transformGradient(_ g: Tensor) throws -> FFTWBuffer {
    guard g.shape == [imageCount, channels, height, width] else {
      throw FourierLensError.shapeMismatch(
        "output gradient must be [\(imageCount), \(channels), \(height), \(width)] like the input, got \(g.shape)")
    }
    return transform(g)
  }

  // MARK: - Transforms

  /// FFTW's unnormalised T of every plane: r2c half spectra or REDFT10 coefficients.
  private func transform(_ images: Tensor) -> FFTWBuffer {
    let planes = images.shape[0] * channels
    let input = FFTWBuffer(count: images.count, zeroed: false)
    input.copy(from: images.data)
    let output = FFTWBuffer(count: planes * spectrumPlaneFloats, zeroed: false)
    guard planes > 0 else { return output }
    switch kind {
    case .dft: FFTWExecute.realToHalf(planes: planes, height: height, width: width, input: input, output: output)
    case .dct: FFTWExecute.dct(inverse: false, planes: planes, height: height, width: width, input: input, output: output)
    }
    return output
  }

  /// One real filter per (mask, mask channel) on the spectrum grid, with every
  /// normalisation folded in: DFT (M(k)+M(−k))/(2HW) on the half grid; DCT M(k)/(4HW),
  /// since FFTW's REDFT01 after REDFT10 multiplies by 4HW.
  private func filters(masks: [Float]) -> [Float] {
    let h = height, w = width, sw = spectrumWidth, plane = h * w
    let count = masks.count / plane
    var out = [Float](repeating: 0, count: count * h * sw)
    masks.withUnsafeBufferPointer { m in
      out.withUnsafeMutableBufferPointer { f in
        switch kind {
        case .dft:
          let s = 1 / Float(2 * h * w)
          for q in 0..<count {
            let src = q * plane, dst = q * h * sw
            for k1 in 0..<h {
              let m1 = (h - k1) % h
              for k2 in 0..<sw {
                let m2 = (w - k2) % w
                f[dst + k1 * sw + k2] = (m[src + k1 * w + k2] + m[src + m1 * w + m2]) * s
              }
            }
          }
        case .dct:
          let s = 1 / Float(4 * h * w)
          for i in 0..<m.count { f[i] = m[i] * s }
        }
      }
    }
    return out
  }

  /// T⁻¹(filter ⊙ spectrum) for every image, each with its assigned mask.
  private func filter(spectrumOf x: FFTWBuffer, masks: [Float], maskCount: Int, assignment: [Int]) -> Tensor {
    let n = imageCount, c = channels, h = height, w = width
    let planes = n * c
    guard planes > 0 else { return Tensor(zeros: [n, c, h, w]) }
    let f = filters(masks: masks)
    let filterPlane = h * spectrumWidth
    let perMask = layout == .shared ? 1 : c
    let product = FFTWBuffer(count: planes * spectrumPlaneFloats, zeroed: false)
    let xp = x.pointer, yp = product.pointer
    let isDFT = kind == .dft
    f.withUnsafeBufferPointer { fb in
      ParallelLoop.chunks(planes, work: planes * filterPlane) { range in
        for p in range {
          let image = p / c, channel = p % c
          let fq = (assignment[image] * perMask + (perMask == 1 ? 0 : channel)) * filterPlane
          if isDFT {
            let base = p * 2 * filterPlane
            for k in 0..<filterPlane {
              let v = fb[fq + k]
              yp[base + 2 * k] = v * xp[base + 2 * k]
              yp[base + 2 * k + 1] = v * xp[base + 2 * k + 1]
            }
          } else {
            let base = p * filterPlane
            for k in 0..<filterPlane { yp[base + k] = fb[fq + k] * xp[base + k] }
          }
        }
      }
    }
    let result = FFTWBuffer(count: planes * h * w, zeroed: false)
    switch kind {
    case .dft: FFTWExecute.halfToReal(planes: planes, height: h, width: w, input: product, output: result)
    case .dct: FFTWExecute.dct(inverse: true, planes: planes, height: h, width: w, input: product, output: result)
    }
    return Tensor(shape: [n, c, h, w], data: result.array(count: planes * h * w))
  }

  /// ∂L/∂M for every mask: Σ over assigned images (and, for shared masks, channels) of
  /// Re(X conj G)/(HW) on the half grid mirrored to the full grid (DFT), or of
  /// (a b)² X G with FFTW's unnormalised coefficients (DCT).
  private func maskGradient(inputSpectrum x: FFTWBuffer, gradientSpectrum g: FFTWBuffer,
                            maskCount: Int, assignment: [Int]) -> [Float] {
    let c = channels, h = height, w = width, sw = spectrumWidth
    let gridPlane = h * sw
    let perMask = layout == .shared ? 1 : c
    let maskPlanes = maskCount * perMask
    // For each mask plane, the image planes that contribute to it.
    var contributors = [[Int]](repeating: [], count: maskPlanes)
    for (image, m) in assignment.enumerated() {
      for channel in 0..<c {
        contributors[m * perMask + (perMask == 1 ? 0 : channel)].append(image * c + channel)
      }
    }
    var grid = [Float](repeating: 0, count: maskPlanes * gridPlane)
    let xp = x.pointer, gp = g.pointer
    let isDFT = kind == .dft
    grid.withUnsafeMutableBufferPointer { acc in
      let accBase = acc.baseAddress!
      // Disjoint frequency ranges per worker: every worker sums all images for its ranges.
      ParallelLoop.chunks(gridPlane, work: assignment.count * c * gridPlane) { range in
        for q in 0..<maskPlanes {
          let out = accBase + q * gridPlane
          for p in contributors[q] {
            if isDFT {
              let base = p * 2 * gridPlane
              for k in range {
                out[k] += xp[base + 2 * k] * gp[base + 2 * k] + xp[base + 2 * k + 1] * gp[base + 2 * k + 1]
              }
            } else {
              let base = p * gridPlane
              for k in range { out[k] += xp[base + k] * gp[base + k] }
            }
          }
        }
      }
    }
    if !isDFT {
      for q in 0..<maskPlanes {
        for k in 0..<gridPlane { grid[q * gridPlane + k] *= dctGradientWeights[k] }
      }
      return grid
    }
    // Mirror the half grid to the full H×W grid: ∂L/∂M(k) = ∂L/∂M(−k).
    let s = 1 / Float(h * w)
    var full = [Float](repeating: 0, count: maskPlanes * h * w)
    for q in 0..<maskPlanes {
      let src = q * gridPlane, dst = q * h * w
      for k1 in 0..<h {
        for k2 in 0..<w {
          let v = k2 < sw ? grid[src + k1 * sw + k2] : grid[src + ((h - k1) % h) * sw + (w - k2)]
          full[dst + k1 * w + k2] = v * s
        }
      }
    }
    return full
  }
}
