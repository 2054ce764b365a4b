import FourierLens

/// Passes calls through to a classifier and counts them (for FLOP figures of attacks).
final class CountingClassifier: Classifier {
  let base: Classifier
  private(set) var gradientCalls = 0
  private(set) var gradientImages = 0
  private(set) var forwardImages = 0

  init(base: Classifier) { self.base = base }

  var description: ModelDescription { base.description }

  func logits(_ input: Tensor) throws -> [Float] {
    forwardImages += input.shape[0]
    return try base.logits(input)
  }

  func lossAndGradient(_ input: Tensor, objective: Objective, sampleWeights: [Float]?) throws -> LossAndGradient {
    gradientCalls += 1
    gradientImages += input.shape[0]
    return try base.lossAndGradient(input, objective: objective, sampleWeights: sampleWeights)
  }
}
