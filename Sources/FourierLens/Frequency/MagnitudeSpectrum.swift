import Foundation

/// The magnitude spectrum of every H×W plane, as shown to people: the DFT's |X| centred
/// (DC in the middle, at (⌊H/2⌋, ⌊W/2⌋)), the DCT's |X| as is (DC at the top-left corner).
public enum MagnitudeSpectrum {
  /// `logScale` gives log(1 + |X|), which makes the few large low frequencies and the
  /// many small high ones visible on one colour scale.
  public static func compute(_ x: Tensor, transform: TransformKind, logScale: Bool = false) throws -> Tensor {
    var magnitude: Tensor
    switch transform {
    case .dft:
      magnitude = try SpectrumShift.fftshift(DFT2D.forward(x).magnitude)
    case .dct:
      magnitude = try DCT2D.forward(x)
      magnitude.data = magnitude.data.map { abs($0) }
    }
    if logScale { magnitude.data = magnitude.data.map { log1p($0) } }
    return magnitude
  }
}
