import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// The `nad` probe's real path: fresh smallcnn networks trained through `TorchTrainer` on
/// the probe's directional data. The constant (DC) direction is one any CNN separates (the
/// mean pixel's sign decides the class, and the noise has no DC component), so its network
/// must reach high accuracy; TorchScript models have no architecture to re-train.
@Suite struct FreshArchitectureTrainingTests {
  @Test func smallcnnLearnsTheDCDirection() throws {
    let model = try TorchModel.create(architecture: .smallcnn, input: [1, 8, 8], mean: [0], std: [1], classes: ["a", "b"], seed: 0)
    let probe = try NeuralAnisotropyProbe(
      makeTrainer: FreshArchitectureTraining.factory(device: .cpu),
      training: FreshTrainingSettings(epochs: 4, batchSize: 32, learningRate: nil), grid: 2, trainImages: 256, testImages: 200,
      sigma: 0.3, epsilon: 1)
    let data = Fixtures.stripes(count: 2, size: 8, seed: 1)
    let out = try probe.run(ProbeContext(model: model, dataset: data, batchSize: 100, showsProgress: false))
    let map = try #require(out.arrays["accuracy"])
    // Grid 2 on 8×8: rows and columns are f = -4, 0; [1][1] is DC.
    #expect(map.shape == [2, 2] && out.json["architecture"]?.stringValue == "smallcnn")
    #expect(map.data[3] >= 0.9, "DC direction: accuracy \(map.data[3])")
    #expect(map.data.allSatisfy { (0...1).contains($0) })
  }

  @Test func torchScriptModelsAreRefusedNamingTheProbe() throws {
    let description = ModelDescription(arch: ModelDirectory.torchScriptArch, input: [1, 8, 8], mean: [0], std: [1], classes: ["a", "b"])
    #expect(performing: {
      _ = try FreshArchitectureTraining.factory(device: .cpu)(description, FreshTrainingSettings(epochs: 1, batchSize: 8, learningRate: nil))
    }, throws: { error in "\(error)".contains("--probe nad") && "\(error)".contains("built-in architecture") })
  }
}
