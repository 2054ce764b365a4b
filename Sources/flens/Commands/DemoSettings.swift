import Foundation
import FourierLens
import FourierLensExperimentSpec

/// What `flens demo` runs, read from the demo's experiment text and from the generated
/// dataset's own definition, so `--help` and `demo-settings.json` cannot drift from what
/// the demo does.
struct DemoSettings: Encodable {
  struct Data: Encodable {
    var imageSize: [Int]
    var classes: [String]
    var trainImages: Int
    var testImages: Int
    var pixelNoiseStd: Float
    var shapeReliability: Float
    var textureAmplitude: Float
    var textureFrequencyCyclesPerPixel: Double
    var textureAnglesDeg: [Double]

    enum CodingKeys: String, CodingKey {
      case imageSize = "image_size", classes, trainImages = "train_images", testImages = "test_images"
      case pixelNoiseStd = "pixel_noise_std", shapeReliability = "shape_reliability", textureAmplitude = "texture_amplitude"
      case textureFrequencyCyclesPerPixel = "texture_frequency_cycles_per_pixel", textureAnglesDeg = "texture_angles_deg"
    }
  }

  struct Model: Encodable {
    var name: String
    var arch: String
    var epochs: Int
    var batch: Int?
    var adversarial: String?
  }

  struct Masks: Encodable {
    var param: String
    var lambda: Float?
    /// Retention targets R: λ is found per model and seed along a path (see README).
    var retention: [Float]?
    var lambdaStart: Float?
    var lambdaFactor: Float?
    var lr: Float?
    var epochs: Int?
    var batch: Int?
    var images: Int?
    /// Held-out images after the learning images, on which the retention targets are judged.
    var validation: Int?
    var seeds: Int?

    enum CodingKeys: String, CodingKey {
      case param, lambda, retention, lambdaStart = "lambda_start", lambdaFactor = "lambda_factor", lr, epochs, batch, images
      case validation, seeds
    }
  }

  var seed: UInt64
  var data: Data
  var models: [Model]
  var masks: Masks
  var probeImages: Int?
  var probes: [String]

  enum CodingKeys: String, CodingKey {
    case seed, data, models, masks, probeImages = "probe_images", probes
  }

  init(_ spec: ExperimentSpec) {
    let size = spec.data.size ?? 32
    // A dataset made the way the experiment runner makes the demo's data, to read its values.
    let generated = SyntheticFrequencyDataset(count: 0, size: size, seed: 0)
    let k = SyntheticFrequencyDataset.classNames.count
    data = Data(imageSize: generated.info.shape, classes: SyntheticFrequencyDataset.classNames,
                trainImages: spec.data.trainLimit ?? 4000, testImages: spec.data.testLimit ?? 1000,
                pixelNoiseStd: generated.noise, shapeReliability: generated.shapeReliability,
                textureAmplitude: generated.textureAmplitude,
                textureFrequencyCyclesPerPixel: SyntheticFrequencyDataset.textureFrequency,
                textureAnglesDeg: (0 ..< k).map { (SyntheticFrequencyDataset.textureAngle($0) * 180 / .pi).rounded() })
    seed = spec.seed ?? 0
    models = spec.models.keys.sorted().map { name in
      let m = spec.models[name]!
      return Model(name: name, arch: m.arch ?? "smallcnn", epochs: m.epochs ?? 0, batch: m.batch, adversarial: m.adversarial)
    }
    let m = spec.masks
    masks = Masks(param: m?.param ?? "free", lambda: m?.lambda, retention: m?.retention, lambdaStart: m?.lambdaStart,
                  lambdaFactor: m?.lambdaFactor, lr: m?.lr, epochs: m?.epochs, batch: m?.batch, images: m?.images,
                  validation: m?.validation, seeds: m?.seeds)
    probeImages = spec.probes?.images
    probes = spec.probes?.run ?? []
  }

  /// The settings as a two-column table for `flens demo --help`, within 80 columns (the
  /// argument parser would re-wrap longer lines onto the margin).
  var text: String {
    func number(_ v: Float?) -> String { v.map { String(format: "%g", Double($0)) } ?? "default" }
    func count(_ v: Int?) -> String { v.map(String.init) ?? "default" }
    let shape = data.imageSize
    var rows: [(String, [String])] = [
      ("image size", ["\(shape[1])×\(shape[2]) pixels, \(shape[0]) channel"]),
      ("classes", ["\(data.classes.count):"] + data.classes),
      ("images", ["\(data.trainImages) train, \(data.testImages) test (seed \(seed))"]),
      ("shape", ["matches the label with probability \(number(data.shapeReliability))"]),
      ("texture", ["amplitude \(number(data.textureAmplitude)),",
                   "\(String(format: "%g", data.textureFrequencyCyclesPerPixel)) cycles/pixel"]),
      ("texture angles", data.textureAnglesDeg.map { String(format: "%g°", $0) } + ["(by class)"]),
      ("pixel noise", ["σ = \(number(data.pixelNoiseStd))"]),
    ]
    for m in models {
      rows.append(("model \(m.name)", ["\(m.arch), \(m.epochs) epochs" + (m.batch.map { ", batch \($0)" } ?? "")]
                    + (m.adversarial.map { ["adversarial \($0)"] } ?? [])))
    }
    if let targets = masks.retention {
      // λ is not fixed: the path that chooses it per model and seed.
      rows.append(("masks", ["\(masks.param) at retention"] + targets.map { number($0) }
                    + ["of clean accuracy:", "λ from \(number(masks.lambdaStart)) ×\(number(masks.lambdaFactor)),",
                       "each λ until converged (at most \(count(masks.epochs)) epochs), lr \(number(masks.lr)),",
                       "batch \(count(masks.batch)), \(count(masks.images)) images,",
                       "judged on the next \(count(masks.validation)), \(masks.seeds ?? 1) seeds"]))
    } else {
      rows.append(("masks", ["\(masks.param), λ \(number(masks.lambda)), lr \(number(masks.lr)),",
                             "\(count(masks.epochs)) epochs, batch \(count(masks.batch)),",
                             "\(count(masks.images)) images, \(masks.seeds ?? 1) seeds"]))
    }
    rows.append(("probes", ["\(count(probeImages)) test images:"] + probes))
    // Words (already split where a break may go) filled into lines of at most 56 columns.
    let label = 20, width = 78 - label
    var lines: [String] = []
    for (name, words) in rows {
      var current = ""
      var first = true
      func flush() {
        lines.append("  " + (first ? name.padding(toLength: label - 2, withPad: " ", startingAt: 0)
                                    : String(repeating: " ", count: label - 2)) + current)
        first = false
        current = ""
      }
      for w in words {
        if !current.isEmpty && current.count + 1 + w.count > width { flush() }
        current += (current.isEmpty ? "" : " ") + w
      }
      flush()
    }
    return lines.joined(separator: "\n")
  }
}
