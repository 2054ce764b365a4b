import CTorchShim
import FourierLens

/// PCA and softmax regression with libtorch (`flt_pca`, `flt_softmax_regression_fit`: float64
/// on the CPU, deterministic), for the `embedding` probe. Failures name `option`.
public struct TorchLinearAnalysis: LinearAnalysis {
  /// The setting the inputs came from, named in errors (`--probe embedding`).
  public var option: String

  public init(option: String = "--probe embedding") { self.option = option }

  public func principalComponents(of features: FeatureMatrix, components: Int) throws -> PrincipalComponents {
    let (n, d) = (features.rows, features.columns)
    guard components >= 1, components <= min(n, d) else {
      throw FourierLensError.badOption(name: option, reason: "PCA of \(n) vectors of length \(d) has no \(components) components")
    }
    var scores = [Float](repeating: 0, count: n * components)
    var directions = [Float](repeating: 0, count: components * d)
    var variances = [Double](repeating: 0, count: components)
    var total = 0.0
    try ShimStatus.check(flt_pca(features.values, Int64(n), Int64(d), Int64(components), &scores, &directions, &variances, &total),
                         option: option)
    return PrincipalComponents(scores: scores, directions: directions, variances: variances, totalVariance: total)
  }

  public func fitSoftmaxRegression(_ features: FeatureMatrix, labels: [Int], classes: Int,
                                   settings: SoftmaxRegressionSettings) throws -> SoftmaxRegression {
    let (n, d) = (features.rows, features.columns)
    guard labels.count == n else {
      throw FourierLensError.badOption(name: option, reason: "\(labels.count) labels for \(n) feature vectors")
    }
    var weights = [Float](repeating: 0, count: classes * d)
    var bias = [Float](repeating: 0, count: max(classes, 0))
    var loss = 0.0
    var evaluations: Int64 = 0
    let y = labels.map(Int64.init)
    try ShimStatus.check(flt_softmax_regression_fit(features.values, y, Int64(n), Int64(d), Int64(classes), settings.l2,
                                                    Int64(settings.maxIterations), settings.tolerance, &weights, &bias,
                                                    &loss, &evaluations),
                         option: option)
    return SoftmaxRegression(classes: classes, dimension: d, weights: weights, bias: bias, loss: loss,
                             evaluations: Int(evaluations))
  }
}
