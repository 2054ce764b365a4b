import ArgumentParser
import Foundation
import FourierLens

extension TransformKind: ExpressibleByArgument {}

/// `flens spectrum`: the magnitude spectrum of an image or array, as an array or a heat map.
struct SpectrumCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "spectrum",
    abstract: "Magnitude spectrum (DFT centred, or DCT) of an image or .npy array.",
    discussion: """
      INPUT is a PNG or JPEG image (pixel values in [0, 1]) or a .npy array H×W or \
      C×H×W. The transform is applied to every channel.

      --out FILE.npy writes the magnitude as C×H×W float32 (C = 1 for an H×W input): \
      for the DFT |X| centred with DC at (H/2, W/2) (integer division), for the DCT \
      |X| with DC at [0, 0]. --out FILE.png writes a heat map (turbo, with a colour \
      bar) of the mean magnitude over channels. --log uses log(1 + |X|).

      Example:
        flens spectrum photo.png --transform dft --log --out spectrum.png
      """
  )

  @Argument(help: "An image (PNG, JPEG) or a .npy array H×W or C×H×W.")
  var input: String

  @Option(name: .long, help: "dft or dct.")
  var transform: TransformKind

  @Flag(name: .long, help: "Show log(1 + |X|) instead of |X|.")
  var log = false

  @Option(name: .long, help: "Output file: .npy (array) or .png (heat map).")
  var out: String

  private var outputKind: String { (out as NSString).pathExtension.lowercased() }

  func validate() throws {
    guard ["npy", "png"].contains(outputKind) else {
      throw FourierLensError.badOption(name: "--out", reason: "must end in .npy or .png, got \(out)")
    }
  }

  func run() throws {
    let image = try Self.readInput(input)
    let magnitude = try MagnitudeSpectrum.compute(image, transform: transform, logScale: log)
    let (c, h, w) = (magnitude.shape[0], magnitude.shape[1], magnitude.shape[2])
    if outputKind == "npy" {
      try NPY.write(magnitude, to: out)
    } else {
      var mean = [Float](repeating: 0, count: h * w)
      for ch in 0..<c { for k in 0..<(h * w) { mean[k] += magnitude.data[ch * h * w + k] / Float(c) } }
      try Heatmap(colormap: .turbo, range: .automatic, centre: false).writePNG(mean, height: h, width: w, to: out)
    }
    print("wrote \(out) (\(transform.rawValue)\(log ? " log" : "") magnitude of \(c)x\(h)x\(w))")
  }

  /// [C, H, W] from an image file or a .npy array (H×W read as one channel).
  static func readInput(_ path: String) throws -> Tensor {
    let x: Tensor
    if (path as NSString).pathExtension.lowercased() == "npy" {
      let array = try NPY.readTensor(path)
      switch array.rank {
      case 2: x = array.reshaped([1] + array.shape)
      case 3: x = array
      default:
        throw FourierLensError.badFile(path: path, reason: "expected an array H×W or C×H×W, got shape \(array.shape)")
      }
    } else {
      x = try ImageFile.read(path)
    }
    guard x.shape.allSatisfy({ $0 > 0 }) else {
      throw FourierLensError.badFile(path: path, reason: "empty array of shape \(x.shape)")
    }
    guard x.isFinite else { throw FourierLensError.badFile(path: path, reason: "holds NaN or infinity") }
    return x
  }
}
