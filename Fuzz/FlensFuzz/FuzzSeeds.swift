import Foundation
import FourierLens
import FourierLensExperimentSpec
import Yams

/// Seed corpora, made with the project's own writers (PNG/JPEG encoders, the .npy writer,
/// the model description and experiment encoders, `PluginSpec.description`); the formats the
/// project only reads (CIFAR-10 records, IDX) are laid out as their specifications say.
enum FuzzSeeds {
  static func write(_ target: FuzzTarget, to dir: String) throws {
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (k, seed) in try seeds(target).enumerated() {
      try seed.write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent("seed-\(k)")))
    }
  }

  /// A deterministic test image [C, H, W] in [0, 1].
  static func image(channels: Int, height: Int, width: Int) -> Tensor {
    var rng = SeededGenerator(seed: UInt64(channels * 1000 + height * 10 + width))
    return Tensor(shape: [channels, height, width], data: (0 ..< channels * height * width).map { _ in rng.nextUniform() })
  }

  static func bytes(_ t: Tensor) -> [UInt8] { t.data.map { UInt8(($0 * 255).rounded()) } }

  /// The bytes a writer that only writes files produced.
  static func viaFile(_ write: (String) throws -> Void) throws -> Data {
    let path = (Scratch.root as NSString).appendingPathComponent("seed-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(atPath: path) }
    try write(path)
    return try Data(contentsOf: URL(fileURLWithPath: path))
  }

  static func idx(_ shape: [Int], _ values: [UInt8]) -> Data {
    var out = Data([0, 0, 0x08, UInt8(shape.count)])
    for d in shape { out.append(contentsOf: [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)]) }
    return out + Data(values)
  }

  static func seeds(_ target: FuzzTarget) throws -> [Data] {
    let shapes = [(1, 1, 1), (1, 3, 5), (3, 4, 4), (3, 8, 6)]
    switch target {
    case .png:
      var out: [Data] = []
      for (c, h, w) in shapes {
        out.append(try PNGCodec.encode(pixels: bytes(image(channels: c, height: h, width: w)), width: w, height: h, channels: c))
      }
      // Grey + alpha and RGBA, as other programs write them.
      out.append(try PNGCodec.encode(pixels: [UInt8](repeating: 128, count: 2 * 3 * 3), width: 3, height: 3, channels: 2))
      out.append(try PNGCodec.encode(pixels: [UInt8](repeating: 200, count: 4 * 2 * 5), width: 5, height: 2, channels: 4))
      return out
    case .jpeg:
      return try shapes.flatMap { c, h, w in
        try [95, 30].map { try JPEGCodec.encode(image: image(channels: c, height: h, width: w), quality: $0) }
      }
    case .cifar10:
      var records = Data()
      for k in 0 ..< 3 {
        records.append(UInt8(k))
        records.append(contentsOf: bytes(image(channels: 3, height: 32, width: 32)).map { $0 &+ UInt8(k) })
      }
      let oneRecord = Data(records.prefix(CIFAR10Dataset.recordSize))
      return [join2(Data(), records), join2(Data("cat\ndog\nbird\n".utf8), records), join2(Data("only\n".utf8), oneRecord)]
    case .mnist:
      let images = bytes(image(channels: 1, height: 3 * 4, width: 4))
      return [
        join2(idx([3], [0, 1, 9]), idx([3, 4, 4], Array(images.prefix(48)))),
        join2(idx([1], [5]), idx([1, 2, 3], [0, 255, 7, 8, 9, 10])),
      ]
    case .safetensors:
      // The format written out by hand (no Swift writer): header length, JSON, raw bytes.
      func file(_ header: String, _ payload: [UInt8]) -> Data {
        let h = Array(header.utf8)
        return Data((0..<8).map { UInt8((h.count >> (8 * $0)) & 0xFF) } + h + payload)
      }
      let one: [UInt8] = [0, 0, 0x80, 0x3F]  // 1.0f
      return [
        file(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, one),
        file(#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"I64","shape":[],"data_offsets":[4,12]}}"#,
             [0, 0x3C, 0, 0x40] + [UInt8](repeating: 0, count: 8)),
        file(#"{"x":{"dtype":"BF16","shape":[1,2],"data_offsets":[0,4]}}"#, [0x80, 0x3F, 0, 0x40]),
      ]
    case .npy:
      return [
        NPY.encode(Tensor(shape: [2, 3], data: [0, 1, 2, 3, 4, 5])),
        NPY.encode(Tensor(shape: [1, 1, 2, 2], data: [0.25, 0.5, 0.75, 1])),
        NPY.encode(Tensor(shape: [], data: [7])),
        try viaFile { try NPY.write(ints: [3, 1, 4, 1, 5], shape: [5], to: $0) },
        try viaFile { try NPY.write(ints: [0, 1], shape: [2, 1], to: $0) },
      ]
    case .npyDataset:
      let labels = try viaFile { try NPY.write(ints: [0, 1, 1], shape: [3], to: $0) }
      return [
        join2(labels, NPY.encode(Tensor(shape: [3, 1, 2, 2], data: image(channels: 3, height: 2, width: 2).data))),
        join2(labels, NPY.encode(Tensor(shape: [3, 2, 2], data: image(channels: 3, height: 2, width: 2).data))),
      ]
    case .modelJSON:
      let descriptions = [
        ModelDescription(arch: "smallcnn", input: [1, 32, 32], mean: [0.5], std: [0.25], classes: ["a", "b"],
                         training: TrainingRecord(epochs: 2, lr: 0.1, seed: 0, testAccuracy: 0.5)),
        ModelDescription(arch: "resnet18", input: [3, 8, 8], mean: [0.4, 0.5, 0.6], std: [0.2, 0.2, 0.3], classes: ["x", "y", "z"]),
        ModelDescription(arch: "torchscript", input: [3, 4, 4], mean: [0, 0, 0], std: [1, 1, 1], classes: ["0"]),
      ]
      return try descriptions.map { d in try viaFile { try AtomicFile.writeJSON(d, to: $0) } }
    case .experiment:
      let readme = """
        name: paper-comparison
        data: {path: ../shared/data/cifar10, grayscale: true}
        models:
          standard:    {arch: smallcnn, epochs: 15, augment: [base]}
          adversarial: {arch: smallcnn, epochs: 15, adversarial: "pgd-linf:eps=0.06,space=normalized"}
          imported:    {path: models/my-resnet}
        masks: {param: free, lambda: 0.02, epochs: 30, images: 2000, seeds: 3}
        probes: {images: 1000, run: [accuracy, heatmap, passband, bands, "attack:pgd-linf:eps=0.03"]}
        report: {baseline: standard}
        slurm: {partition: cpu, train: {cpus: 4, mem: 8G, time: "04:00:00", gpus: 1}, mask: {mem: 512M}}
        """
      let spec = try ExperimentSpec.parse(readme, file: "seed")
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys]
      return [Data(readme.utf8), try encoder.encode(spec), Data(try YAMLEncoder().encode(spec).utf8)]
    case .pluginSpec:
      let specs = [
        PluginSpec(name: "free"),
        PluginSpec(name: "pgd-linf", options: [("eps", "0.03"), ("alpha", "0.0075"), ("steps", "10")]),
        PluginSpec(name: "pgd-band", options: [("mask", "/tmp/a=b:c.npy"), ("eps", "2")]),
      ]
      return specs.map { Data($0.description.utf8) }
        + [Data((specs.map(\.description) + ["rotate", "scale:min=0.5,max=1.5"]).joined(separator: ",").utf8)]
    }
  }
}
