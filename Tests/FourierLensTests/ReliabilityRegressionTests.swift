import Foundation
import Testing
@testable import FourierLens

/// Inputs that crashed a reader under scripts/fuzz.sh (libFuzzer + AddressSanitizer), kept
/// byte for byte, and the numerical failures found by the kill-and-resume tests. Each input
/// must now give a `FourierLensError` that names the file.
@Suite struct ReliabilityRegressionTests {
  /// The fuzzer's container format for two-file targets: a 2-byte little-endian length,
  /// that many bytes (first file), the rest (second file).
  static func split2(_ data: Data) -> (Data, Data) {
    let b = [UInt8](data)
    let n = min(Int(b[0]) | Int(b[1]) << 8, b.count - 2)
    return (Data(b[2 ..< 2 + n]), Data(b[(2 + n)...]))
  }

  static func directory(_ files: [String: Data]) throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-regression-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, bytes) in files { try bytes.write(to: URL(fileURLWithPath: dir + "/" + name)) }
    return dir
  }

  /// mnist crash-4a688ea5: an IDX header whose three 32-bit dimensions multiply past
  /// Int.max made `shape.reduce(1, *)` trap.
  /// A spec list whose values begin with combining marks (U+0659) once trimmed: split on
  /// characters, the printed list merged "=" with the mark and did not parse back to itself.
  @Test func pluginSpecListWithCombiningMarksRoundTrips() throws {
    let bytes: [UInt8] = [112,103,100,45,105,110,102,58,104,97,61,44,101,97,110,102,58,104,97,1,0,0,5,61,44,101,97,207,51,61,44,48,105,110,102,58,104,97,61,44,101,97,110,102,58,51,61,44,102,58,104,97,52,61,44,48,105,110,112,103,45,58,1,8,9,61,9,217,153,197,244,54,1,8,9,61,9,44,110,58,115,61,48,46,48,112,104,61,97,9,0,0,0,55,53,93,49,51,61,44,48,105,110,102,58,104,97,61,44,101,97,110,102,58,104,97,38,61,44,48,105,110,58,115,61,48,46,48,112,104,61,4,0,0,0,112,115,61,49,48]
    let text = String(decoding: bytes, as: UTF8.self)
    let list = try PluginSpec.parseList(text, option: "--fuzz")
    let printed = list.map(\.description).joined(separator: ",")
    #expect(try PluginSpec.parseList(printed, option: "--fuzz") == list)
    for spec in list { #expect(try PluginSpec.parse(spec.description, option: "--fuzz") == spec) }
    // A combining mark right after a separator no longer hides it.
    let marked = try PluginSpec.parse("fgsm:eps=\u{0659}1,steps=2")
    #expect(marked.options.count == 2 && marked["eps"] == "\u{0659}1" && marked["steps"] == "2")
  }

  /// A safetensors file as `safetensors.torch.save_file` writes it, from `header` (JSON) and `data`.
  static func safetensors(_ header: String, data: [UInt8]) -> Data {
    let json = [UInt8](header.utf8)
    return Data((0..<8).map { UInt8(truncatingIfNeeded: json.count >> (8 * $0)) } + json + data)
  }

  /// Found by HostileModelFileCommandTests (issue 24): safetensors gives a zero-element tensor
  /// the offset of its neighbour ([8, 8] beside [0, 8]); the overlap check refused the file.
  @Test func safetensorsZeroElementTensorBesideItsNeighbourIsRead() throws {
    let header = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#
    let file = try SafeTensorsFile.parse(Self.safetensors(header, data: [UInt8](repeating: 0, count: 8)), path: "z.safetensors")
    #expect(file.entries.map(\.name) == ["e", "w"] && file.entries[0].range.isEmpty)
  }

  /// Found reading SafeTensors.swift for issue 24: a shape of 2^31 × 2^31 float64 values passes
  /// the element count's overflow check, and its byte count (2^65) trapped.
  @Test func safetensorsShapeWhoseByteCountOverflows() throws {
    let header = #"{"w":{"dtype":"F64","shape":[2147483648,2147483648],"data_offsets":[0,8]}}"#
    #expect(performing: { _ = try SafeTensorsFile.parse(Self.safetensors(header, data: [UInt8](repeating: 0, count: 8)), path: "o.safetensors") },
            throws: { error in
      guard case let .badFile(path, reason) = error as? FourierLensError else { return false }
      return path == "o.safetensors" && reason.contains("tensor 'w'")
    })
  }

  @Test func idxHeaderWithAnOverflowingShape() throws {
    let input = try #require(Data(base64Encoded: "CwAAAAgBAAAAhgD3CAAACAMAAAADb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb29vb28AAAAEAAAABHw0PCq0tg=="))
    let (labels, images) = Self.split2(input)
    let dir = try Self.directory(["t10k-labels-idx1-ubyte": labels, "t10k-images-idx3-ubyte": images])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(performing: { _ = try MNISTDataset(directory: dir, split: .test) }, throws: { error in
      guard case let .badFile(path, reason) = error as? FourierLensError else { return false }
      return path.hasSuffix("t10k-images-idx3-ubyte") && reason.contains("impossibly large")
    })
  }

  /// mnist crash-655caef5: zero images of 2^32−1 × 2^32−1 pixels pass the size check
  /// (0 bytes needed), then h·w overflowed.
  @Test func idxWithNoImagesButAnOverflowingImageSize() throws {
    let input = try #require(Data(base64Encoded: "CwAAAAgBAAAAAAAAAAAACAMAAAAA/////////////////////////////////////////////////////////////////////wDPygAuAEludA=="))
    let (labels, images) = Self.split2(input)
    let dir = try Self.directory(["t10k-labels-idx1-ubyte": labels, "t10k-images-idx3-ubyte": images])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(performing: { _ = try MNISTDataset(directory: dir, split: .test) }, throws: { error in
      guard case let .badFile(path, reason) = error as? FourierLensError else { return false }
      return path.hasSuffix("t10k-images-idx3-ubyte") && reason.contains("larger than supported")
    })
  }

  /// npy-dataset crash-2e82e41f: labels.npy holding a label near 2^62 and no classes.txt
  /// made the reader build a list of 2^62 class names (out of memory).
  @Test func npyLabelsImplyingAstronomicallyManyClasses() throws {
    let input = try #require(Data(base64Encoded: "mACTTlVNUFkBAHYAeydkZXNjcic6ICc8aTgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAoICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgCgAAAAAAAAAAAQAAAABVbnNhZgAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgzLCAxLCAyLCAyKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICApICAgICAKCFZMPvArVT64Qrg+cKvnPsQTKD5b93I/JB1RPpxGYz6gEUc+sjZoPyDtSz2AUf0+"))
    let (labels, images) = Self.split2(input)
    let dir = try Self.directory(["labels.npy": labels, "images.npy": images])
    defer { try? FileManager.default.removeItem(atPath: dir) }
    #expect(performing: { _ = try NPYPairDataset(directory: dir) }, throws: { error in
      guard case let .badFile(path, reason) = error as? FourierLensError else { return false }
      return path.hasSuffix("labels.npy") && reason.contains("classes.txt")
    })
  }

  /// Found by the kill-and-resume tests: the clean cross-entropy was computed as
  /// −log(max(p, 1e-30)), capped at 69, while the masked one (from the model) is not; for a
  /// confidently wrong model the identity mask then showed a huge invariance term and
  /// exp(I) overflowed to a NaN gradient at the very first step.
  @Test func identityMaskOnAConfidentlyWrongModelHasNoDistortion() throws {
    let (data, good) = MaskLearnerTests.plantedProblem(count: 8)
    // The same model with its sign flipped and scaled: wrong on every image, with CE well above 69.
    let wrong = LinearSoftmaxClassifier(weights: good.weights.map { -$0 * 10 }, bias: [0, 0], input: [1, 8, 8],
                                        mean: [0.5], std: [0.25])
    let batch = try data.batch(Array(0 ..< 8))
    let logits = try wrong.logits(batch.images)
    #expect(logits.enumerated().contains { abs($0.element) > 40 }, "the test needs logits beyond −log(1e-30)")
    var config = MaskLearningConfig()
    config.lambda = 0.5
    let learner = try MaskLearner(model: wrong, parameterization: IdentityMask(shape: [8, 8]), config: config)
    let objective = try learner.datasetObjective(batch, theta: [Float](repeating: 1, count: 64))
    // exp(I) with I ≈ 0, plus λ·‖M‖₁/‖M₀‖₁ = λ.
    #expect(abs(objective.loss - (1 + 0.5)) < 1e-2, "loss \(objective.loss)")
    let finite = objective.thetaGradient.allSatisfy { $0.isFinite }
    #expect(finite)
  }
}
