import Foundation
import FourierLens

/// `nad.json` with `nad.accuracy.npy` of `flens probe --probe nad`: test accuracy of fresh
/// networks of one architecture trained on data separable only along one Fourier basis
/// image, per frequency of a grid (rows f_y, columns f_x, both from −size/2 upwards).
public struct AnisotropyProbeResult: Equatable, Sendable {
  public var architecture: String
  public var grid: Int
  /// Grid frequencies (cycles per image) of the rows and columns.
  public var frequencyY: [Int]
  public var frequencyX: [Int]
  /// Row-major grid×grid test accuracies.
  public var accuracy: [Float]
  public var networks: Int
  public var trainImages: Int
  public var epochs: Int

  static func read(_ file: ProbeFile) throws -> AnisotropyProbeResult {
    let json: JSONValue = try ProbeResults.decode(file.json)
    let (map, npy) = try file.requiredArray("accuracy")
    guard map.rank == 2, map.shape[0] == map.shape[1], map.shape[0] > 0, map.data.allSatisfy({ (0...1).contains($0) }) else {
      throw FourierLensError.badFile(path: npy, reason: "expected a square grid of accuracies in [0, 1], got shape \(map.shape)")
    }
    let grid = map.shape[0]
    let fy = (json["freq_y"]?.arrayValue ?? []).compactMap(\.doubleValue).map { Int($0) }
    let fx = (json["freq_x"]?.arrayValue ?? []).compactMap(\.doubleValue).map { Int($0) }
    guard fy.count == grid, fx.count == grid else {
      throw FourierLensError.badFile(path: file.json, reason: "freq_y and freq_x need \(grid) frequencies each")
    }
    return AnisotropyProbeResult(architecture: json["architecture"]?.stringValue ?? "?", grid: grid, frequencyY: fy, frequencyX: fx,
                                 accuracy: map.data, networks: Int(json["networks"]?.doubleValue ?? 0),
                                 trainImages: Int(json["train_images"]?.doubleValue ?? 0), epochs: Int(json["epochs"]?.doubleValue ?? 0))
  }

  /// The map on the full centred DFT plane (DC at [H/2, W/2], up = positive f_y), each grid
  /// cell filling the frequencies from its own up to the next grid frequency; nil when the
  /// grid is not evenly spaced from −size/2.
  public var centredPlane: (values: [Float], rows: Int, columns: Int)? {
    guard grid >= 1, let sy = grid > 1 ? frequencyY[1] - frequencyY[0] : Optional(-2 * frequencyY[0]),
          let sx = grid > 1 ? frequencyX[1] - frequencyX[0] : Optional(-2 * frequencyX[0]), sy > 0, sx > 0 else { return nil }
    let (h, w) = (grid * sy, grid * sx)
    guard frequencyY[0] == -(h / 2), frequencyX[0] == -(w / 2) else { return nil }
    var values = [Float](repeating: 0, count: h * w)
    for r in 0..<h {
      let i = ((h / 2 - r + h / 2) / sy) % grid  // f_y = H/2 − r; H/2 aliases −H/2 (cell 0)
      for c in 0..<w { values[r * w + c] = accuracy[i * grid + c / sx] }
    }
    return (values, h, w)
  }
}
