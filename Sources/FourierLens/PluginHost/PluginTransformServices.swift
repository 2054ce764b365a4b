import FourierLensPluginABI

/// The transform host services, implemented with the core's frequency code (`DFT2D`,
/// `DCT2D`, `MaskOperator`), so that plugins see exactly the spectra `flens learn-mask`
/// and `flens spectrum` use. Errors are thrown; `PluginHostServices.serve` turns them into
/// a status and the call's message.
enum PluginTransformServices {
  static func size(_ planes: UInt64, _ h: UInt32, _ w: UInt32) throws -> Int {
    guard planes > 0, h > 0, w > 0 else { throw FourierLensError.shapeMismatch("needs planes, H, W > 0, got \(planes)×\(h)×\(w)") }
    let (n, overflow) = Int(planes).multipliedReportingOverflow(by: Int(h) * Int(w))
    guard !overflow, n <= 1 << 31 else { throw FourierLensError.shapeMismatch("\(planes)×\(h)×\(w) is too large") }
    return n
  }

  static func forward(_ kind: UInt32, _ planes: UInt64, _ h: UInt32, _ w: UInt32, _ input: UnsafePointer<Float>?,
                      _ real: UnsafeMutablePointer<Float>?, _ imag: UnsafeMutablePointer<Float>?) throws {
    let transform = try PluginHostServices.transformKind(kind)
    let n = try size(planes, h, w)
    guard let input, let real else { throw FourierLensError.message("null input or output") }
    let x = Tensor(shape: [Int(planes), Int(h), Int(w)], data: Array(UnsafeBufferPointer(start: input, count: n)))
    guard x.isFinite else { throw FourierLensError.nonFinite("transform input holds NaN or infinity") }
    switch transform {
    case .dft:
      guard let imag else { throw FourierLensError.message("the DFT needs an imaginary output") }
      let spectrum = try DFT2D.forward(x)
      real.update(from: spectrum.real, count: n)
      imag.update(from: spectrum.imag, count: n)
    case .dct:
      guard imag == nil else { throw FourierLensError.message("the DCT is real: pass NULL for the imaginary output") }
      real.update(from: try DCT2D.forward(x).data, count: n)
    }
  }

  static func inverse(_ kind: UInt32, _ planes: UInt64, _ h: UInt32, _ w: UInt32, _ real: UnsafePointer<Float>?,
                      _ imag: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>?) throws {
    let transform = try PluginHostServices.transformKind(kind)
    let n = try size(planes, h, w)
    guard let real, let out else { throw FourierLensError.message("null input or output") }
    let shape = [Int(planes), Int(h), Int(w)]
    let re = Array(UnsafeBufferPointer(start: real, count: n))
    switch transform {
    case .dft:
      guard let imag else { throw FourierLensError.message("the inverse DFT needs an imaginary input") }
      let im = Array(UnsafeBufferPointer(start: imag, count: n))
      guard re.allSatisfy({ $0.isFinite }), im.allSatisfy({ $0.isFinite }) else {
        throw FourierLensError.nonFinite("inverse transform input holds NaN or infinity")
      }
      out.update(from: try DFT2D.inverse(ComplexTensor(shape: shape, real: re, imag: im)).real, count: n)
    case .dct:
      guard imag == nil else { throw FourierLensError.message("the DCT is real: pass NULL for the imaginary input") }
      guard re.allSatisfy({ $0.isFinite }) else { throw FourierLensError.nonFinite("inverse transform input holds NaN or infinity") }
      out.update(from: try DCT2D.inverse(Tensor(shape: shape, data: re)).data, count: n)
    }
  }

  static func applyMask(_ kind: UInt32, _ images: UnsafeMutablePointer<Float>?, _ n: UInt64, _ c: UInt32, _ h: UInt32,
                        _ w: UInt32, _ mask: UnsafePointer<Float>?, _ maskChannels: UInt32) throws {
    let transform = try PluginHostServices.transformKind(kind)
    guard c > 0 else { throw FourierLensError.shapeMismatch("needs C > 0") }
    let count = try size(n * UInt64(c), h, w)
    guard let images, let mask else { throw FourierLensError.message("null images or mask") }
    guard maskChannels == 1 || maskChannels == c else {
      throw FourierLensError.shapeMismatch("a mask has 1 or C = \(c) planes, got \(maskChannels)")
    }
    let op = try MaskOperator(kind: transform, channels: Int(c), height: Int(h), width: Int(w),
                              layout: maskChannels == 1 ? .shared : .perChannel)
    try op.setInput(Tensor(shape: [Int(n), Int(c), Int(h), Int(w)], data: Array(UnsafeBufferPointer(start: images, count: count))))
    let m = Array(UnsafeBufferPointer(start: mask, count: Int(maskChannels) * Int(h) * Int(w)))
    let result = try op.apply(masks: m, maskCount: 1, assignment: nil)
    images.update(from: result.data, count: count)
  }
}
