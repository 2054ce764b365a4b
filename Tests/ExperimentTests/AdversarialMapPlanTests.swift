import Foundation
import FourierLens
import FourierLensExperimentSpec
@testable import FourierLensExperiments
import Testing

/// `adversarial_maps:` in an experiment file: one `adversarial-map/NAME` step per model
/// with the masks' settings and the map's own scope and optimisation, read by that model's
/// probes (an `alignment` without `adversarial=` compares the model's mask with its own map);
/// bad settings fail before any work, naming the key.
@Suite struct AdversarialMapPlanTests {
  static let withMaps = ExperimentPlanTests.base
    .replacingOccurrences(of: "run: [accuracy, bands]", with: "run: [accuracy, \"alignment:radial=8\"]")
    + "\nadversarial_maps: {attack: \"deepfool:steps=20\", scope: image, images: 16, epochs: 5}\n"

  func plan(_ text: String) throws -> ExperimentPlan { try ExperimentPlanTests().plan(text) }
  func message(_ text: String) -> String { ExperimentPlanTests().message(text) }

  @Test func mapsAreStepsThatTheProbesOfTheirModelRead() throws {
    let p = try plan(Self.withMaps)
    #expect(Array(p.steps.map(\.description).suffix(5)) == [
      "adversarial-map/other", "adversarial-map/standard", "probe/other", "probe/standard", "report"])
    #expect(p.dependencies(of: .adversarialMap("other")) == [.train("other")])
    #expect(p.dependencies(of: .probe("other")) == [.train("other"), .mask("other"), .mask("standard"), .adversarialMap("other")])
    #expect(p.directory(of: .adversarialMap("other"), in: "RUN") == "RUN/adversarial-maps/other")
    #expect(p.adversarialMaps?.images == 16)
    // The map shares the masks' transform and objective; scope and epochs are its own, and λ
    // is learn-mask's default for that scope.
    let config = try #require(p.adversarialMaps?.config)
    #expect(config.scope == .image && config.epochs == 5 && config.transform == p.masks.config.transform)
    #expect(config.lambda == MaskLearningConfig.singleImageDefaults().lambda)
    for step in p.steps { #expect(try ExperimentStep(parsing: step.description) == step) }
    #expect(ExperimentStep.adversarialMap("x").resourceKind == .mask)
  }

  @Test func theMapsKeyChangesTheProbesButNotTheModelsOrMasks() throws {
    let without = try plan(ExperimentPlanTests.base), with = try plan(Self.withMaps)
    let other = try plan(Self.withMaps.replacingOccurrences(of: "steps=20", with: "steps=30"))
    #expect(with.models["other"]!.key == without.models["other"]!.key)
    #expect(with.models["other"]!.maskKey == without.models["other"]!.maskKey)
    #expect(without.models["other"]!.adversarialMapKey == nil)
    #expect(with.models["other"]!.adversarialMapKey != other.models["other"]!.adversarialMapKey)
    #expect(with.models["other"]!.adversarialMapKey != with.models["standard"]!.adversarialMapKey)
    #expect(with.models["other"]!.probeKey != other.models["other"]!.probeKey)
    #expect(with.reportKey != other.reportKey)
  }

  @Test func badMapSettingsFailBeforeAnyWork() {
    let noMaps = message(ExperimentPlanTests.base.replacingOccurrences(of: "[accuracy, bands]", with: "[accuracy, alignment]"))
    #expect(noMaps.hasPrefix("exp.yaml: probes.run") && noMaps.contains("adversarial_maps"), "\(noMaps)")
    let attack = message(Self.withMaps.replacingOccurrences(of: "deepfool:steps=20", with: "nosuchattack"))
    #expect(attack.hasPrefix("exp.yaml: adversarial_maps.attack") && attack.contains("nosuchattack"), "\(attack)")
    let option = message(Self.withMaps.replacingOccurrences(of: "deepfool:steps=20", with: "deepfool:norm=l3"))
    #expect(option.hasPrefix("exp.yaml: adversarial_maps.attack") && option.contains("norm"), "\(option)")
    let lambda = message(Self.withMaps.replacingOccurrences(of: "epochs: 5}", with: "epochs: 5, lambda: -1}"))
    #expect(lambda.hasPrefix("exp.yaml: adversarial_maps.lambda:"), "\(lambda)")
    let images = message(Self.withMaps.replacingOccurrences(of: "images: 16", with: "images: 0"))
    #expect(images.hasPrefix("exp.yaml: adversarial_maps.images must be ≥ 1"), "\(images)")
    let radial = message(Self.withMaps.replacingOccurrences(of: "alignment:radial=8", with: "alignment:radial=1"))
    #expect(radial.hasPrefix("exp.yaml: probes.run") && radial.contains("radial must be ≥ 2"), "\(radial)")
    let unknown = message(Self.withMaps.replacingOccurrences(of: "alignment:radial=8", with: "alignment:radius=8"))
    #expect(unknown.hasPrefix("exp.yaml: probes.run") && unknown.contains("radius"), "\(unknown)")
  }
}
