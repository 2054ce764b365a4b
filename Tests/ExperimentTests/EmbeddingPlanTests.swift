import Testing

/// An experiment with the `embedding` probe is refused before any work when it has no image
/// masks to embed: no `image_masks:`, and masks of another scope or of the other split.
@Suite struct EmbeddingPlanTests {
  static let imageMasks = ExperimentPlanTests.base
    .replacingOccurrences(of: "masks: {lambda: 0.02, epochs: 2, images: 32, seeds: 3}", with: "masks: {scope: image, epochs: 2, images: 32}")
    .replacingOccurrences(of: "[accuracy, bands]", with: "[accuracy, embedding]")

  @Test func embeddingNeedsImageMasksOfTheProbedSplit() throws {
    _ = try ExperimentPlanTests().plan(Self.imageMasks)
    let scope = ExperimentPlanTests().message(Self.imageMasks.replacingOccurrences(of: "scope: image", with: "scope: class, lambda: 0.02"))
    #expect(scope.hasPrefix("exp.yaml: probes.run: embedding needs image masks: add `image_masks:` or set masks.scope: image"), "\(scope)")
    let split = ExperimentPlanTests().message(Self.imageMasks.replacingOccurrences(of: "scope: image", with: "scope: image, split: train"))
    #expect(split.hasPrefix("exp.yaml: probes.run: embedding needs masks.split: test"), "\(split)")
  }
}
