import FourierLens

/// One H×W picture of a learned mask in display order: the mean over its planes (colour
/// channels of a C×H×W mask, and the masks of every class or image), centred (fftshift)
/// for the DFT and as stored for the DCT (DC in the top-left corner).
struct MaskPlane {
  var values: [Float]
  var rows: Int
  var columns: Int
  var transform: TransformKind
  /// Channels averaged (1 for a shared mask).
  var channels: Int
  /// Masks averaged (1 for a dataset mask).
  var masks: Int

  init(_ mask: LearnedMask) {
    let shape = mask.shape
    let h = shape[shape.count - 2], w = shape[shape.count - 1]
    let plane = h * w
    let planes = mask.allValues.count / plane
    var mean = [Double](repeating: 0, count: plane)
    mask.allValues.withUnsafeBufferPointer { v in
      for p in 0..<planes {
        let base = p * plane
        for k in 0..<plane { mean[k] += Double(v[base + k]) }
      }
    }
    let averaged = mean.map { Float($0 / Double(planes)) }
    values = mask.transform == .dft ? SpectrumShift.fftshift(averaged, height: h, width: w) : averaged
    rows = h
    columns = w
    transform = mask.transform
    channels = shape.count >= 3 ? shape[shape.count - 3] : 1
    masks = mask.summary.maskCount
  }

  init(values: [Float], rows: Int, columns: Int, transform: TransformKind, channels: Int = 1, masks: Int = 1) {
    self.values = values
    self.rows = rows
    self.columns = columns
    self.transform = transform
    self.channels = channels
    self.masks = masks
  }

  var axes: FrequencyMapChart.Axes { transform == .dft ? .centredDFT : .dct }

  /// What was averaged, for captions ("" when nothing was).
  var averagingNote: String {
    var parts: [String] = []
    if channels > 1 { parts.append("mean over its \(channels) colour channels") }
    if masks > 1 { parts.append("mean of its \(masks) masks") }
    return parts.joined(separator: ", ")
  }

  /// Row and column labels for the CSV: the frequency (DFT, centred; f_y up) or DCT index.
  var rowLabels: [String] {
    (0..<rows).map { transform == .dft ? "\(rows / 2 - $0)" : "\($0)" }
  }

  var columnLabels: [String] {
    (0..<columns).map { transform == .dft ? "\($0 - columns / 2)" : "\($0)" }
  }

  var csvCorner: String { transform == .dft ? "f_y\\f_x" : "k_y\\k_x" }
}
