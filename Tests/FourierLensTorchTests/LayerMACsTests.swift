import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// FLOPs counted by the shim from the operators a forward pass runs, against hand counts and
/// against the numbers of the hand-written layer table ModelFLOPs.swift held before.
@Suite struct LayerMACsTests {
  static func model(_ arch: TorchArchitecture, _ input: [Int], classes: Int) throws -> TorchModel {
    try TorchModel.create(architecture: arch, input: input, mean: [Float](repeating: 0.5, count: input[0]),
                          std: [Float](repeating: 0.25, count: input[0]), classes: (0..<classes).map(String.init), seed: 1)
  }

  /// smallcnn on 1×8×8 with 2 classes, by hand: 3×3 convolutions with padding 1, each followed
  /// by a 2×2 max-pool, then adaptive pooling to 2×2 and a linear layer on 128·4 features.
  @Test func smallcnnMatchesAHandCountLayerByLayer() throws {
    let expected = [
      8 * 8 * 32 * (1 * 9),   // conv 1→32 on 8×8
      4 * 4 * 64 * (32 * 9),  // conv 32→64 on 4×4
      2 * 2 * 128 * (64 * 9), // conv 64→128 on 2×2
      128 * 4 * 2,            // linear 512→2
    ]
    let m = try Self.model(.smallcnn, [1, 8, 8], classes: 2)
    let counted = try m.layerMultiplyAccumulates()
    #expect(counted == expected)
    // BatchNorm folded or not, channels-last or not: the same layers run.
    try m.setFoldsBatchNorm(false)
    try m.setChannelsLast(false)
    let plain = try m.layerMultiplyAccumulates()
    #expect(plain == expected)
    #expect(try m.forwardFLOPsPerImage() == Double(2 * expected.reduce(0, +)))
  }

  /// What the hand-written table gave (2 FLOPs per multiply-add, convolutions and linear
  /// layers only), for every architecture and both resnet18 stems.
  @Test(arguments: [
    (TorchArchitecture.smallcnn, [3, 32, 32], 20_654_080.0),
    (.smallcnn, [1, 128, 128], 311_437_312.0),
    (.resnet18, [3, 32, 32], 1_110_845_440.0),
    (.resnet18, [3, 64, 64], 296_101_888.0),
    (.resnet18ImageNet, [3, 32, 32], 74_033_152.0),
    (.vgg11bn, [3, 32, 32], 544_686_080.0),
  ])
  func builtInArchitecturesGiveTheOldTablesNumbers(arch: TorchArchitecture, input: [Int], flops: Double) throws {
    let counted = try Self.model(arch, input, classes: 10).forwardFLOPsPerImage()
    #expect(counted == flops)
  }

  /// A traced TorchScript module (whose graph calls aten::_convolution directly) with a
  /// strided, grouped convolution: counted from its operators like the built-in networks.
  @Test func aTracedTorchScriptModuleIsCountedByHand() throws {
    let work = Fixtures.temporaryDirectory("macs")
    defer { try? FileManager.default.removeItem(atPath: work) }
    let file = work + "/tiny.pt"
    let script = """
      import sys, torch
      torch.manual_seed(0)
      net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, stride=2, padding=1, groups=2), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(36, 3))
      torch.jit.trace(net.eval(), torch.randn(1, 2, 6, 6)).save(sys.argv[1])
      """
    try script.write(toFile: work + "/tiny.py", atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: InteropTests.python)
    process.arguments = [work + "/tiny.py", file]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "\(InteropTests.python) could not trace the module")
    let description = ModelDescription(arch: ModelDirectory.torchScriptArch, input: [2, 6, 6], mean: [0, 0], std: [1, 1],
                                       classes: ["a", "b", "c"])
    let m = try TorchModel.importTorchScript(file: file, description: description)
    // Conv: 4 channels × 3×3 outputs, each from 2/2 input channels × 3×3 taps; linear 36 → 3.
    #expect(try m.layerMultiplyAccumulates() == [4 * 3 * 3 * (1 * 9), 36 * 3])
  }
}
