import Foundation
import Testing
@testable import FourierLens

/// The attack and augmentation adapters against misbehaving C plugins: outputs are
/// validated before use, a failure never leaves a half-changed batch, and a model error
/// raised inside a callback comes back as the model's error.
@Suite("Attack and augmentation adapters")
struct BatchAdapterTests {
  func registry(_ defines: [String]) throws -> (PluginRegistry, String) {
    let dir = try TestSupport.temporaryDirectory("batch")
    let path = try TestSupport.buildC(TestCBatchPlugins.source, named: "libcbatch.so", in: dir, defines: defines)
    let r = TestSupport.registry([dir])
    #expect(r.errors.isEmpty, "\(r.errors)")
    return (r, path)
  }

  static let batch = SyntheticImages.batch(count: 4, classes: 3, shape: [3, 4, 4], seed: 1)
  static let model = AnalyticClassifier.fitted(batch, classes: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25])

  @Test func wellBehavedPluginsPassThrough() throws {
    let (r, _) = try registry([])
    let out = try r.makeAttack("c-attack").perturb(Self.batch, model: Self.model, seed: 0)
    #expect(out == Self.batch.images)
    var x = Self.batch.images
    try r.makeAugmentation("c-augment").apply(&x, seed: 0)
    #expect(x.data == [Float](repeating: 0.25, count: 96) + [Float](repeating: 0.75, count: 96))
  }

  @Test func attackOutputsOutsideThePixelRangeOrNonFiniteAreRejected() throws {
    let (range, path) = try registry(["OUT_OF_RANGE"])
    #expect { _ = try range.makeAttack("c-attack").perturb(Self.batch, model: Self.model, seed: 0) } throws: {
      "\($0)".contains(path) && "\($0)".contains("outside the pixel range")
    }
    let (nan, _) = try registry(["ATTACK_NAN"])
    #expect { _ = try nan.makeAttack("c-attack").perturb(Self.batch, model: Self.model, seed: 0) } throws: {
      "\($0)".contains("adversarial batch holds nan at image 2, channel 1, row 0, column 1 (index 113 of 192)")
    }
    // Run as batch 2 of 5 of a longer run, the message also says which batch and images.
    #expect {
      _ = try nan.makeAttack("c-attack").perturb(Self.batch, model: Self.model, seed: 0, batchIndex: 1, of: 5, firstImage: 4)
    } throws: {
      "\($0)".contains("image 2, channel 1, row 0, column 1") && "\($0)".hasSuffix("(at batch 2 of 5, images 4 to 7 of the run)")
    }
  }

  @Test func aModelErrorInsideACallbackIsRethrown() throws {
    let (r, path) = try registry(["BAD_LABEL"])
    #expect { _ = try r.makeAttack("c-attack").perturb(Self.batch, model: Self.model, seed: 0) } throws: {
      let text = "\($0)"
      return text.contains("plugin \(path): 'c-attack' passed label 6 (image 0 of 4) to the loss_grad callback; "
                           + "the model's labels are 0 to 2") && !text.contains("..<")
    }
  }

  @Test func aFailingAugmentationLeavesTheBatchUntouched() throws {
    let (r, path) = try registry(["FAIL_HALFWAY"])
    var x = Self.batch.images
    #expect { try r.makeAugmentation("c-augment").apply(&x, seed: 0) } throws: {
      "\($0)".contains(path) && "\($0)".contains("gave up half-way")
    }
    #expect(x == Self.batch.images)
  }
}
