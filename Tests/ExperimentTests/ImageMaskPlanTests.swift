import Foundation
import FourierLens
import FourierLensExperimentSpec
@testable import FourierLensExperiments
import Testing

/// `image_masks:` in an experiment file: one `image-masks/NAME` step per model, in image scope
/// with the masks' parameterization and transform and learn-mask's single-image defaults,
/// read by that model's `embedding` probe, so dataset masks and image masks live in one
/// experiment; bad settings fail before any work, naming the key.
@Suite struct ImageMaskPlanTests {
  static let withImageMasks = ExperimentPlanTests.base
    .replacingOccurrences(of: "[accuracy, bands]", with: "[accuracy, embedding]")
    + "\nimage_masks: {images: 16, epochs: 3}\n"

  func plan(_ text: String) throws -> ExperimentPlan { try ExperimentPlanTests().plan(text) }
  func message(_ text: String) -> String { ExperimentPlanTests().message(text) }

  @Test func imageMasksAreStepsThatTheProbesOfTheirModelRead() throws {
    let p = try plan(Self.withImageMasks)
    #expect(p.masks.config.scope == .dataset, "the masks keep their own scope")
    #expect(Array(p.steps.map(\.description).suffix(5)) == [
      "image-masks/other", "image-masks/standard", "probe/other", "probe/standard", "report"])
    #expect(p.dependencies(of: .imageMasks("other")) == [.train("other")])
    #expect(p.dependencies(of: .probe("other")) == [.train("other"), .mask("other"), .mask("standard"), .imageMasks("other")])
    #expect(p.directory(of: .imageMasks("other"), in: "RUN") == "RUN/image-masks/other")
    let images = try #require(p.imageMasks)
    #expect(images.images == 16)
    #expect(images.config.scope == .image && images.config.epochs == 3 && images.config.transform == p.masks.config.transform)
    #expect(images.config.lambda == MaskLearningConfig.singleImageDefaults().lambda)
    #expect(images.config.learningRate == MaskLearningConfig.singleImageDefaults().learningRate)
    #expect(try plan(ExperimentPlanTests.base + "\nimage_masks: {}\n").imageMasks?.images == 500)
    for step in p.steps { #expect(try ExperimentStep(parsing: step.description) == step) }
    #expect(ExperimentStep.imageMasks("x").resourceKind == .mask)
  }

  @Test func theImageMasksKeyChangesTheProbesButNotTheModelsOrMasks() throws {
    let without = try plan(ExperimentPlanTests.base), with = try plan(Self.withImageMasks)
    let other = try plan(Self.withImageMasks.replacingOccurrences(of: "epochs: 3}", with: "epochs: 4}"))
    #expect(with.models["other"]!.key == without.models["other"]!.key)
    #expect(with.models["other"]!.maskKey == without.models["other"]!.maskKey)
    #expect(without.models["other"]!.imageMaskKey == nil)
    #expect(with.models["other"]!.imageMaskKey != other.models["other"]!.imageMaskKey)
    #expect(with.models["other"]!.imageMaskKey != with.models["standard"]!.imageMaskKey)
    #expect(with.models["other"]!.probeKey != other.models["other"]!.probeKey)
    #expect(with.reportKey != other.reportKey)
  }

  @Test func badImageMaskSettingsFailBeforeAnyWork() {
    let images = message(Self.withImageMasks.replacingOccurrences(of: "images: 16", with: "images: 0"))
    #expect(images.hasPrefix("exp.yaml: image_masks.images must be ≥ 1"), "\(images)")
    let lambda = message(Self.withImageMasks.replacingOccurrences(of: "epochs: 3}", with: "epochs: 3, lambda: -1}"))
    #expect(lambda.hasPrefix("exp.yaml: image_masks.lambda:"), "\(lambda)")
    let epochs = message(Self.withImageMasks.replacingOccurrences(of: "epochs: 3}", with: "epochs: 0}"))
    #expect(epochs.hasPrefix("exp.yaml: image_masks.epochs:"), "\(epochs)")
    let noImageMasks = message(ExperimentPlanTests.base.replacingOccurrences(of: "[accuracy, bands]", with: "[accuracy, embedding]"))
    #expect(noImageMasks.hasPrefix("exp.yaml: probes.run: embedding needs image masks") && noImageMasks.contains("image_masks"), "\(noImageMasks)")
  }
}
