/// The linear analyses of feature vectors that the `embedding` probe needs: principal
/// components and a multinomial logistic-regression fit. The core has no linear solver; a
/// backend (FourierLensTorch's `TorchLinearAnalysis`, with libtorch) computes them.
public protocol LinearAnalysis {
  /// PCA of the centred rows (not scaled): the first `components` directions.
  func principalComponents(of features: FeatureMatrix, components: Int) throws -> PrincipalComponents
  /// The softmax regression minimising (1/n) Σ CE(W x + b, y) + (l2/2)‖W‖².
  func fitSoftmaxRegression(_ features: FeatureMatrix, labels: [Int], classes: Int,
                            settings: SoftmaxRegressionSettings) throws -> SoftmaxRegression
}

/// n feature vectors of length d, row-major.
public struct FeatureMatrix: Equatable, Sendable {
  public var rows: Int
  public var columns: Int
  public var values: [Float]

  public init(rows: Int, columns: Int, values: [Float]) {
    precondition(values.count == rows * columns, "a \(rows)×\(columns) matrix needs \(rows * columns) values")
    self.rows = rows
    self.columns = columns
    self.values = values
  }

  public func row(_ i: Int) -> ArraySlice<Float> { values[(i * columns)..<((i + 1) * columns)] }

  /// The rows at `indices`, in that order.
  public func selecting(_ indices: [Int]) -> FeatureMatrix {
    FeatureMatrix(rows: indices.count, columns: columns, values: indices.flatMap { row($0) })
  }
}

/// The first k principal components of n rows of length d.
public struct PrincipalComponents: Equatable, Sendable {
  /// Each row's coordinates on the components, n×k row-major.
  public var scores: [Float]
  /// The unit principal directions, k×d row-major, each signed so that its largest-magnitude
  /// entry is positive.
  public var directions: [Float]
  /// The variance along each direction (descending), with the n − 1 denominator.
  public var variances: [Double]
  /// The total variance (trace of the sample covariance).
  public var totalVariance: Double

  public init(scores: [Float], directions: [Float], variances: [Double], totalVariance: Double) {
    self.scores = scores
    self.directions = directions
    self.variances = variances
    self.totalVariance = totalVariance
  }

  /// Each component's share of the total variance (0 when the rows are all equal).
  public var explainedFraction: [Double] { variances.map { totalVariance > 0 ? $0 / totalVariance : 0 } }
}

/// How a softmax regression is fitted.
public struct SoftmaxRegressionSettings: Equatable, Sendable {
  /// L2 penalty on the weights (not the bias), in units of the mean cross-entropy.
  public var l2: Double
  public var maxIterations: Int
  /// Stop when the largest gradient entry is at most this.
  public var tolerance: Double

  public init(l2: Double, maxIterations: Int = 500, tolerance: Double = 1e-8) {
    self.l2 = l2
    self.maxIterations = maxIterations
    self.tolerance = tolerance
  }
}

/// A fitted multinomial logistic regression: scores z = W x + b, prediction argmax z.
public struct SoftmaxRegression: Equatable, Sendable {
  public var classes: Int
  public var dimension: Int
  /// classes×dimension, row-major.
  public var weights: [Float]
  public var bias: [Float]
  /// The objective at the fitted parameters.
  public var loss: Double
  public var evaluations: Int

  public init(classes: Int, dimension: Int, weights: [Float], bias: [Float], loss: Double, evaluations: Int) {
    self.classes = classes
    self.dimension = dimension
    self.weights = weights
    self.bias = bias
    self.loss = loss
    self.evaluations = evaluations
  }

  /// The predicted class of every row (the first class on ties).
  public func predict(_ features: FeatureMatrix) -> [Int] {
    precondition(features.columns == dimension)
    return (0..<features.rows).map { i in
      let x = features.row(i)
      var best = 0, bestScore = -Double.infinity
      for k in 0..<classes {
        var z = Double(bias[k])
        for (j, v) in x.enumerated() { z += Double(weights[k * dimension + j]) * Double(v) }
        if z > bestScore { (best, bestScore) = (k, z) }
      }
      return best
    }
  }
}
