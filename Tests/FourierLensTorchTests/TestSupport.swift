import Foundation
import FourierLens
@testable import FourierLensTorch

enum Fixtures {
  /// A learnable two-class problem: class 0 has a brighter left half, class 1 a brighter
  /// right half, plus seeded noise; pixel values stay in [0, 1].
  static func stripes(count: Int, channels: Int = 1, size: Int = 8, seed: UInt64) -> InMemoryDataset {
    var rng = SeededGenerator(seed: seed)
    var data = [Float](repeating: 0, count: count * channels * size * size)
    var labels = [Int]()
    for i in 0 ..< count {
      let label = i % 2
      labels.append(label)
      for c in 0 ..< channels {
        for y in 0 ..< size {
          for x in 0 ..< size {
            let bright = (x < size / 2) == (label == 0)
            let value = (bright ? 0.7 : 0.3) + 0.25 * (rng.nextUniform() - 0.5)
            data[((i * channels + c) * size + y) * size + x] = value
          }
        }
      }
    }
    let batch = ImageBatch(images: Tensor(shape: [count, channels, size, size], data: data), labels: labels, classNames: ["left", "right"])
    return InMemoryDataset(batch: batch, format: "generated")
  }

  /// Uniform random pixel-space images.
  static func randomImages(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = SeededGenerator(seed: seed)
    return Tensor(shape: shape, data: (0 ..< shape.reduce(1, *)).map { _ in rng.nextUniform() })
  }

  static func temporaryDirectory(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("flt-\(name)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
  }

  static func smallModel(channels: Int = 1, size: Int = 8, classes: Int = 3, seed: UInt64 = 7) throws -> TorchModel {
    try TorchModel.create(architecture: .smallcnn, input: [channels, size, size],
                          mean: Array(repeating: 0.4, count: channels), std: Array(repeating: 0.25, count: channels),
                          classes: (0 ..< classes).map { "c\($0)" }, seed: seed)
  }
}

/// Largest |a − b| over two equally long arrays.
func maxAbsDifference<T: BinaryFloatingPoint>(_ a: [T], _ b: [T]) -> T {
  precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
  return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
