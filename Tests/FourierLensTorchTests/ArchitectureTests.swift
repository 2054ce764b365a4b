import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// Parameter names and shapes must be torchvision's so that state dicts import; the
/// parameter counts of torchvision's resnet18 (11,689,512) and vgg11_bn (132,868,840) for
/// 1000 classes are published numbers.
@Suite struct ArchitectureTests {
  func parameterCount(_ entries: [(name: String, shape: [Int])]) -> Int {
    entries.filter { !$0.name.hasSuffix("running_mean") && !$0.name.hasSuffix("running_var") && !$0.name.hasSuffix("num_batches_tracked") }
      .reduce(0) { $0 + $1.shape.reduce(1, *) }
  }

  func model(_ arch: TorchArchitecture, _ input: [Int], classes: Int) throws -> TorchModel {
    try TorchModel.create(architecture: arch, input: input, mean: Array(repeating: 0.5, count: input[0]),
                          std: Array(repeating: 0.25, count: input[0]), classes: (0 ..< classes).map { "c\($0)" }, seed: 1)
  }

  @Test func resnet18WithTheImageNetStemHasTorchvisionsParameters() throws {
    let entries = try model(.resnet18, [3, 64, 64], classes: 1000).stateEntries()
    #expect(parameterCount(entries) == 11_689_512)
    let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.shape) })
    #expect(shapes["conv1.weight"] == [64, 3, 7, 7])
    #expect(shapes["bn1.running_mean"] == [64])
    #expect(shapes["bn1.num_batches_tracked"] == [])
    #expect(shapes["layer1.0.conv1.weight"] == [64, 64, 3, 3])
    #expect(shapes["layer2.0.downsample.0.weight"] == [128, 64, 1, 1])
    #expect(shapes["layer2.0.downsample.1.running_var"] == [128])
    #expect(shapes["layer4.1.bn2.bias"] == [512])
    #expect(shapes["fc.weight"] == [1000, 512])
    #expect(entries.count == 122) // torchvision resnet18's state_dict has 122 entries
    #expect(entries.first?.name == "conv1.weight" && entries.last?.name == "fc.bias")
  }

  @Test func resnet18OnSmallInputsUsesTheCIFARStem() throws {
    let m = try model(.resnet18, [1, 32, 32], classes: 10)
    let shapes = Dictionary(uniqueKeysWithValues: try m.stateEntries().map { ($0.name, $0.shape) })
    #expect(shapes["conv1.weight"] == [64, 1, 3, 3])
    #expect(shapes["fc.weight"] == [10, 512])
    #expect(try m.logits(Fixtures.randomImages([2, 1, 32, 32], seed: 1)).count == 20)
  }

  @Test func vgg11bnHasTorchvisionsParameters() throws {
    let m = try model(.vgg11bn, [3, 32, 32], classes: 1000)
    let entries = try m.stateEntries()
    #expect(parameterCount(entries) == 132_868_840)
    let shapes = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.shape) })
    #expect(shapes["features.0.weight"] == [64, 3, 3, 3])
    #expect(shapes["features.1.running_mean"] == [64])
    #expect(shapes["features.4.weight"] == [128, 64, 3, 3])
    #expect(shapes["features.25.weight"] == [512, 512, 3, 3])
    #expect(shapes["classifier.0.weight"] == [4096, 25088])
    #expect(shapes["classifier.6.weight"] == [1000, 4096])
  }

  @Test func smallcnnTakesAnyChannelCountAndSize() throws {
    for input in [[1, 28, 28], [3, 32, 32], [5, 12, 20]] {
      let m = try model(.smallcnn, input, classes: 7)
      #expect(try m.logits(Fixtures.randomImages([3] + input, seed: 2)).count == 21)
    }
  }

  @Test func unusableInputsAreRejected() throws {
    #expect(throws: FourierLensError.self) { _ = try model(.vgg11bn, [3, 16, 16], classes: 10) }
    #expect(throws: FourierLensError.self) { _ = try model(.smallcnn, [3, 4, 4], classes: 10) }
    #expect(throws: FourierLensError.self) {
      _ = try TorchModel.create(architecture: .smallcnn, input: [3, 8, 8], mean: [0.5], std: [0.2], classes: ["a"], seed: 1)
    }
  }

  @Test func runtimeUsesAFastBLAS() throws {
    try TorchRuntime.setThreads(2)
    #expect(TorchRuntime.threads == 2)
    let blas = TorchRuntime.blasLibrary.lowercased()
    #expect(blas.contains("mkl") || blas.contains("openblas"), "libtorch calls \(TorchRuntime.blasLibrary)")
    #expect(try TorchRuntime.matmulGFLOPS(size: 512, repeats: 2) > 0)
    #expect(TorchRuntime.version >= 215)
  }
}
