import Foundation
import FourierLens
import FourierLensExperimentSpec
import Yams

/// libFuzzer targets for every reader of untrusted input. One binary holds them all; the
/// environment variable FLENS_FUZZ_TARGET picks one (scripts/fuzz.sh runs each in turn).
///
/// Besides "no crash, no leak, no timeout", every target checks what the project promises:
/// a reader either returns a well-formed value or throws a `FourierLensError` whose message
/// names the file (or the option) it was given. Anything else stops the fuzzer as a crash
/// (`fail`), so a finding always comes with its input.
enum FuzzTarget: String, CaseIterable {
  case png, jpeg, cifar10, mnist, npy, npyDataset = "npy-dataset", modelJSON = "model-json"
  case experiment, pluginSpec = "plugin-spec", safetensors

  /// Runs one input.
  func run(_ data: Data) {
    switch self {
    case .png: FuzzReaders.image(data, name: "fuzz.png") { try PNGCodec.decode($0, path: $1) }
    case .jpeg: FuzzReaders.image(data, name: "fuzz.jpg") { try JPEGCodec.decode($0, path: $1) }
    case .cifar10: FuzzReaders.cifar10(data)
    case .mnist: FuzzReaders.mnist(data)
    case .npy: FuzzReaders.npy(data)
    case .npyDataset: FuzzReaders.npyDataset(data)
    case .modelJSON: FuzzReaders.modelJSON(data)
    case .experiment: FuzzReaders.experiment(data)
    case .pluginSpec: FuzzReaders.pluginSpec(data)
    case .safetensors: FuzzReaders.safetensors(data)
    }
  }
}

/// Stops the fuzzer: libFuzzer records the input that led here.
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("flens-fuzz: \(message)\n".utf8))
  abort()
}

/// A private scratch directory (on /dev/shm when there is one) for the readers that open
/// files or directories.
enum Scratch {
  static let root: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let dir = (base as NSString).appendingPathComponent("flens-fuzz-\(getpid())")
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: Scratch.root) }
    return dir
  }()

  /// A fresh empty directory holding exactly `files` (name → bytes).
  static func directory(_ files: [String: Data]) -> String {
    let dir = (root as NSString).appendingPathComponent("case")
    try? FileManager.default.removeItem(atPath: dir)
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, bytes) in files {
      guard FileManager.default.createFile(atPath: (dir as NSString).appendingPathComponent(name), contents: bytes) else {
        fail("cannot write the scratch file \(name) in \(dir)")
      }
    }
    return dir
  }
}

/// Splits `data` into parts: a 2-byte little-endian length, that many bytes, the rest.
func split2(_ data: Data) -> (Data, Data) {
  let bytes = [UInt8](data)
  guard bytes.count >= 2 else { return (Data(), Data(bytes)) }
  let length = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
  return (Data(bytes[2 ..< 2 + length]), Data(bytes[(2 + length)...]))
}

/// The inverse of `split2`, for seeds.
func join2(_ first: Data, _ second: Data) -> Data {
  precondition(first.count < 1 << 16)
  return Data([UInt8(first.count & 0xFF), UInt8(first.count >> 8)]) + first + second
}

enum FuzzReaders {
  /// An error is acceptable when it is the project's own and names `name`.
  static func checkError(_ error: Error, names name: String, _ what: String) {
    guard let e = error as? FourierLensError else { fail("\(what): not a FourierLensError: \(type(of: error)) \(error)") }
    guard "\(e)".contains(name) else { fail("\(what): the error does not name \(name): \(e)") }
  }

  static func checkTensor(_ t: Tensor, what: String, unitRange: Bool = true) {
    guard t.shape.allSatisfy({ $0 > 0 }), t.shape.reduce(1, *) == t.count else {
      fail("\(what): shape \(t.shape) does not match \(t.count) values")
    }
    if unitRange, let bad = t.data.first(where: { !($0 >= 0 && $0 <= 1) }) { fail("\(what): pixel value \(bad) outside [0, 1]") }
  }

  static func image(_ data: Data, name: String, decode: (Data, String) throws -> Tensor) {
    do {
      let t = try decode(data, name)
      guard t.rank == 3, t.shape[0] == 1 || t.shape[0] == 3 else { fail("\(name): decoded shape \(t.shape) is not [1|3, H, W]") }
      checkTensor(t, what: name)
    } catch {
      checkError(error, names: name, "decode")
    }
  }

  /// Input: a 2-byte length, `batches.meta.txt` of that length (absent when 0), then `test_batch.bin`.
  static func cifar10(_ data: Data) {
    let (meta, records) = split2(data)
    var files = ["test_batch.bin": records]
    if !meta.isEmpty { files["batches.meta.txt"] = meta }
    let dir = Scratch.directory(files)
    do {
      let dataset = try CIFAR10Dataset(directory: dir, split: .test)
      guard dataset.info.count == records.count / CIFAR10Dataset.recordSize else { fail("cifar10: count \(dataset.info.count) for \(records.count) bytes") }
      let n = min(dataset.info.count, 8)
      let batch = try dataset.batch(Array(0 ..< n) + [dataset.info.count - 1])
      checkTensor(batch.images, what: "cifar10 batch")
      guard batch.labels.allSatisfy({ $0 >= 0 && $0 < dataset.info.classes.count }) else { fail("cifar10: label outside the classes") }
      do {
        _ = try dataset.batch([dataset.info.count])
        fail("cifar10: an index past the end was accepted")
      } catch { checkError(error, names: "test_batch.bin", "cifar10 out-of-range index") }
    } catch {
      checkError(error, names: dir, "cifar10")
    }
  }

  /// Input: a 2-byte length, `t10k-labels-idx1-ubyte` of that length, then `t10k-images-idx3-ubyte`.
  static func mnist(_ data: Data) {
    let (labels, images) = split2(data)
    let dir = Scratch.directory(["t10k-labels-idx1-ubyte": labels, "t10k-images-idx3-ubyte": images])
    do {
      let dataset = try MNISTDataset(directory: dir, split: .test)
      guard dataset.info.count > 0 else { return }
      let batch = try dataset.batch(Array(0 ..< min(dataset.info.count, 8)) + [dataset.info.count - 1])
      checkTensor(batch.images, what: "mnist batch")
      guard batch.labels.allSatisfy({ $0 >= 0 && $0 < dataset.info.classes.count }) else { fail("mnist: label outside the classes") }
    } catch {
      checkError(error, names: dir, "mnist")
    }
  }

  /// `NPY.parse` on the bytes, and the header-only reader on the same bytes as a file: both
  /// must agree.
  static func safetensors(_ data: Data) {
    let path = "fuzz.safetensors"
    do {
      let file = try SafeTensorsFile.parse(data, path: path)
      for e in file.entries where e.range.count != e.shape.reduce(1, *) * e.dtype.size || e.range.upperBound > file.bytes.count {
        fail("safetensors: bytes \(e.range) of \(file.bytes.count) for \(e.name) of shape \(e.shape)")
      }
    } catch {
      checkError(error, names: path, "SafeTensorsFile.parse")
    }
  }

  static func npy(_ data: Data) {
    let dir = Scratch.directory(["a.npy": data])
    let path = dir + "/a.npy"
    var parsed: NPYArray?
    do {
      let a = try NPY.parse(data, path: path)
      guard a.bytes.count == a.count * a.dtype.size else { fail("npy: \(a.bytes.count) bytes for shape \(a.shape)") }
      if a.count <= 1 << 16 {
        guard a.floats().count == a.count, a.ints().count == a.count else { fail("npy: conversions lost values") }
      }
      parsed = a
    } catch {
      checkError(error, names: path, "NPY.parse")
    }
    do {
      let (shape, dtype) = try NPY.readShape(path)
      if let parsed, parsed.shape != shape || parsed.dtype != dtype {
        fail("npy: readShape gives \(shape) \(dtype), parse gives \(parsed.shape) \(parsed.dtype)")
      }
    } catch {
      checkError(error, names: path, "NPY.readShape")
      // The header reader may refuse what parse accepts only for a reason parse shares.
    }
  }

  /// Input: a 2-byte length, `labels.npy` of that length, then `images.npy`.
  static func npyDataset(_ data: Data) {
    let (labels, images) = split2(data)
    let dir = Scratch.directory(["labels.npy": labels, "images.npy": images])
    do {
      let dataset = try NPYPairDataset(directory: dir)
      guard dataset.info.count > 0 else { fail("npy-dataset: an empty dataset was accepted") }
      let batch = try dataset.batch(Array(0 ..< min(dataset.info.count, 4)) + [dataset.info.count - 1])
      checkTensor(batch.images, what: "npy batch", unitRange: false)
      guard batch.labels.allSatisfy({ $0 >= 0 && $0 < dataset.info.classes.count }) else { fail("npy-dataset: label outside the classes") }
    } catch {
      checkError(error, names: dir, "npy-dataset")
    }
  }

  static func modelJSON(_ data: Data) {
    let dir = Scratch.directory(["model.json": data])
    do {
      let d = try ModelDirectory.readDescription(dir)
      guard d.input.count == 3, d.mean.count == d.input[0], d.std.allSatisfy({ $0 > 0 }) else { fail("model-json: invalid description accepted: \(d)") }
    } catch {
      checkError(error, names: dir, "model description")
    }
  }

  static func experiment(_ data: Data) {
    let file = "fuzz-experiment.yaml"
    guard let text = String(data: data, encoding: .utf8) else { return }  // load() refuses non-UTF-8 with the file's name
    do {
      let spec = try ExperimentSpec.parse(text, file: file)
      guard !spec.models.isEmpty else { fail("experiment: no models accepted") }
    } catch {
      checkError(error, names: file, "experiment")
    }
  }

  static func pluginSpec(_ data: Data) {
    let text = String(decoding: data, as: UTF8.self)
    do {
      let spec = try PluginSpec.parse(text, option: "--fuzz")
      // What a spec prints parses back to the same spec (the --resume check relies on it).
      guard let again = try? PluginSpec.parse(spec.description, option: "--fuzz"), again == spec else {
        fail("plugin-spec: '\(spec.description)' does not parse back to itself (from '\(text)')")
      }
    } catch {
      checkError(error, names: "--fuzz", "PluginSpec.parse")
    }
    do {
      let list = try PluginSpec.parseList(text, option: "--fuzz")
      guard !list.isEmpty else { fail("plugin-spec: parseList accepted '\(text)' as no specs") }
      let joined = list.map(\.description).joined(separator: ",")
      guard let again = try? PluginSpec.parseList(joined, option: "--fuzz"), again == list else {
        fail("plugin-spec: list '\(joined)' does not parse back to itself (from '\(text)')")
      }
    } catch {
      checkError(error, names: "--fuzz", "PluginSpec.parseList")
    }
  }
}
