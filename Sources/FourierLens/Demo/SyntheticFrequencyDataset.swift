import Foundation

/// A procedurally generated image dataset whose classes can be told apart two ways: by a
/// large, low-frequency shape and by a faint, high-frequency oriented texture.
///
/// It is built to show the paper's headline effect without downloads. The texture is
/// perfectly predictive but has a small amplitude (a "non-robust" feature in the sense
/// of Ilyas et al. 2019: an L∞ perturbation larger than its amplitude can erase it); the
/// shape has a large amplitude but agrees with the label only with probability
/// `shapeReliability`. A standard model can reach 100 % from the texture and so leans on
/// high frequencies; an adversarially trained model cannot trust the texture and leans on
/// the low-frequency shape.
///
/// Images are generated from (seed, index) on demand: nothing is stored, the same index
/// always gives the same image, and the train and test splits use different seeds.
public final class SyntheticFrequencyDataset: Dataset {
  public static let classNames = ["disk", "bar", "cross", "ring"]
  public let info: DatasetInfo
  public let seed: UInt64
  public let size: Int
  /// Peak amplitude of the texture grating in pixel units.
  public let textureAmplitude: Float
  /// Probability that the shape matches the label (otherwise another class's shape).
  public let shapeReliability: Float
  /// Pixel noise standard deviation.
  public let noise: Float

  /// The defaults `flens demo` generates with (and prints in `flens demo --help`).
  public static let defaultTextureAmplitude: Float = 0.035
  public static let defaultShapeReliability: Float = 0.85
  public static let defaultNoise: Float = 0.03

  public init(count: Int, size: Int = 32, seed: UInt64, textureAmplitude: Float = defaultTextureAmplitude,
              shapeReliability: Float = defaultShapeReliability, noise: Float = defaultNoise) {
    precondition(count >= 0 && size >= 8)
    self.seed = seed
    self.size = size
    self.textureAmplitude = textureAmplitude
    self.shapeReliability = shapeReliability
    self.noise = noise
    info = DatasetInfo(format: "generated", count: count, classes: Self.classNames, shape: [1, size, size])
  }

  /// The label of image `index`: classes cycle, so every prefix is balanced.
  public func label(of index: Int) -> Int { index % Self.classNames.count }

  public func batch(_ indices: [Int]) throws -> ImageBatch {
    var data = [Float]()
    data.reserveCapacity(indices.count * size * size)
    for i in indices {
      guard i >= 0 && i < info.count else {
        throw FourierLensError.message("generated dataset: index \(i) outside 0..<\(info.count)")
      }
      data.append(contentsOf: image(i))
    }
    return ImageBatch(images: Tensor(shape: [indices.count, 1, size, size], data: data),
                      labels: indices.map(label(of:)), classNames: Self.classNames)
  }

  /// Texture orientation of class `c`: 0°, 45°, 90°, 135°.
  public static func textureAngle(_ c: Int) -> Double { Double(c) * .pi / 4 }
  /// Texture frequency in cycles per pixel (a period of about 3 pixels: high frequency).
  public static let textureFrequency = 0.34

  func image(_ index: Int) -> [Float] {
    let n = Double(size)
    var rng = SeededGenerator(seed: SeededGenerator.derive(seed, UInt64(index)))
    let y = label(of: index)
    let k = Self.classNames.count
    let shapeClass = rng.nextUniform() < shapeReliability ? y : (y + 1 + Int(rng.next() % UInt64(k - 1))) % k
    // Shape: position and size jitter, soft edges (low frequency).
    let cx = n / 2 + Double(rng.nextUniform() - 0.5) * n * 0.2
    let cy = n / 2 + Double(rng.nextUniform() - 0.5) * n * 0.2
    let r = n * (0.26 + 0.08 * Double(rng.nextUniform()))
    let rotation = Double(rng.nextUniform() - 0.5) * 0.5
    let phase = Double(rng.nextUniform()) * 2 * .pi
    let angle = Self.textureAngle(y)
    let (fx, fy) = (cos(angle) * Self.textureFrequency, sin(angle) * Self.textureFrequency)
    let background = 0.35 + 0.1 * Double(rng.nextUniform())
    let contrast = 0.3 + 0.1 * Double(rng.nextUniform())
    var out = [Float](repeating: 0, count: size * size)
    for row in 0..<size {
      for col in 0..<size {
        let dx = Double(col) + 0.5 - cx, dy = Double(row) + 0.5 - cy
        let u = cos(rotation) * dx + sin(rotation) * dy, v = -sin(rotation) * dx + cos(rotation) * dy
        let inside: Double
        switch shapeClass {
        case 0: inside = r - (u * u + v * v).squareRoot()                          // disk
        case 1: inside = min(r - abs(u), r * 0.35 - abs(v))                        // horizontal bar
        case 2: inside = max(min(r - abs(u), r * 0.22 - abs(v)), min(r - abs(v), r * 0.22 - abs(u)))  // cross
        default: inside = r * 0.28 - abs((u * u + v * v).squareRoot() - r * 0.7)   // ring
        }
        let shape = 1 / (1 + exp(-inside / 1.5))                                   // soft edge
        let texture = cos(2 * .pi * (fx * Double(col) + fy * Double(row)) + phase)
        let value = background + contrast * shape + Double(textureAmplitude) * texture + Double(noise * rng.nextGaussian())
        out[row * size + col] = Float(min(1, max(0, value)))
      }
    }
    return out
  }
}
