import Foundation
import FourierLens
@testable import FourierLensTorch
import Testing

/// The shim's PCA and softmax regression against independent truth: a planted rank-2 data
/// set whose principal directions, variances and scores are known exactly, and a tiny
/// non-separable regression solved to its optimum by Newton's method in NumPy.
@Suite struct TorchLinearAnalysisTests {
  let analysis = TorchLinearAnalysis(option: "test")

  /// Rows c + a_i u + b_i v with orthonormal u, v and centred, uncorrelated a, b: the
  /// principal directions are u and v, the variances Σa²/(n−1) = 72/7 and Σb²/(n−1) = 8/7,
  /// the total 80/7, and the scores a_i and b_i (u, v have their largest entry positive).
  @Test func pcaRecoversPlantedDirectionsVariancesAndScores() throws {
    let u: [Double] = [1.0, 2, 0, 0, 0, -1].map { $0 / 6.0.squareRoot() }
    let v: [Double] = [0.0, 0, 3, 4, 0, 0].map { $0 / 5 }
    let c: [Double] = [0.5, -1, 2, 0.25, 3, 1]
    let a: [Double] = [3, 3, 3, 3, -3, -3, -3, -3], b: [Double] = [1, -1, 1, -1, 1, -1, 1, -1]
    var rows: [Float] = []
    for i in 0..<8 {
      for j in 0..<6 {
        let value: Double = c[j] + a[i] * u[j] + b[i] * v[j]
        rows.append(Float(value))
      }
    }
    let pca = try analysis.principalComponents(of: FeatureMatrix(rows: 8, columns: 6, values: rows), components: 2)
    #expect(abs(pca.variances[0] - 72.0 / 7) < 1e-5 && abs(pca.variances[1] - 8.0 / 7) < 1e-5, "\(pca.variances)")
    #expect(abs(pca.totalVariance - 80.0 / 7) < 1e-5)
    #expect(abs(pca.explainedFraction[0] - 0.9) < 1e-6 && abs(pca.explainedFraction[1] - 0.1) < 1e-6)
    #expect(maxAbsDifference(pca.directions.map(Double.init), u + v) < 1e-5, "\(pca.directions)")
    let expectedScores: [Double] = (0..<8).flatMap { [a[$0], b[$0]] }
    #expect(maxAbsDifference(pca.scores.map(Double.init), expectedScores) < 1e-4, "\(pca.scores)")
  }

  @Test func pcaRefusesTooFewRowsAndNonFiniteValues() throws {
    #expect(throws: FourierLensError.self) {
      try analysis.principalComponents(of: FeatureMatrix(rows: 1, columns: 3, values: [1, 2, 3]), components: 1)
    }
    let error = #expect(throws: FourierLensError.self) {
      try analysis.principalComponents(of: FeatureMatrix(rows: 2, columns: 2, values: [1, .nan, 3, 4]), components: 1)
    }
    #expect("\(error!)".contains("NaN"), "\(error!)")
  }

  static let newtonScript = #"""
  import json, sys
  import numpy as np
  case = json.loads(sys.argv[1])
  x = np.array(case["x"], dtype=np.float64).reshape(case["n"], case["d"])
  y = np.array(case["y"]); k = case["k"]; l2 = case["l2"]; n, d = x.shape
  xt = np.hstack([x, np.ones((n, 1))])           # bias as the last feature
  onehot = np.eye(k)[y]
  penalty = np.diag(np.r_[np.full(d, l2), 0.0])  # the bias is not penalised
  theta = np.zeros((k, d + 1))

  def objective(theta):
      z = xt @ theta.T
      z -= z.max(1, keepdims=True)
      logp = z - np.log(np.exp(z).sum(1, keepdims=True))
      return -(onehot * logp).sum() / n + 0.5 * l2 * (theta[:, :d] ** 2).sum(), np.exp(logp)

  for _ in range(100):
      _, p = objective(theta)
      grad = ((p - onehot).T @ xt) / n + theta @ penalty
      hess = np.zeros((k * (d + 1), k * (d + 1)))
      for i in range(n):
          hess += np.kron(np.diag(p[i]) - np.outer(p[i], p[i]), np.outer(xt[i], xt[i])) / n
      hess += np.kron(np.eye(k), penalty)
      # Adding one constant to every bias changes nothing: the pseudo-inverse steps orthogonally
      # to that direction, so the biases keep summing to zero as from the zero start.
      theta -= (np.linalg.pinv(hess) @ grad.reshape(-1)).reshape(k, d + 1)
  loss, _ = objective(theta)
  print(json.dumps({"w": theta[:, :d].reshape(-1).tolist(), "b": theta[:, d].tolist(), "loss": loss,
                    "grad": float(np.abs(((objective(theta)[1] - onehot).T @ xt) / n + theta @ penalty).max())}))
  """#

  /// Runs the Newton solver above with the project's Python; fails loudly without it.
  static func newton(x: [Float], n: Int, d: Int, y: [Int], k: Int, l2: Double) throws -> (w: [Double], b: [Double], loss: Double) {
    let dir = Fixtures.temporaryDirectory("softmax")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/newton.py"
    try newtonScript.write(toFile: path, atomically: true, encoding: .utf8)
    let input = try JSONSerialization.data(withJSONObject: ["x": x.map(Double.init), "n": n, "d": d, "y": y, "k": k, "l2": l2])
    let process = Process()
    process.executableURL = URL(fileURLWithPath: InteropTests.python)
    process.arguments = [path, String(decoding: input, as: UTF8.self)]
    let output = Pipe(), errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let stdout = output.fileHandleForReading.readDataToEndOfFile()
    let stderr = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw FourierLensError.message("\(InteropTests.python) with numpy is needed: \(String(decoding: stderr, as: UTF8.self).suffix(1500))")
    }
    let json = try JSONSerialization.jsonObject(with: stdout) as! [String: Any]
    #expect((json["grad"] as! Double) < 1e-10, "NumPy's Newton iterate is at the optimum")
    return (json["w"] as! [Double], json["b"] as! [Double], json["loss"] as! Double)
  }

  /// Nine overlapping points of three classes in 2-D (no class is linearly separable), L2 0.05:
  /// the unique optimum found by NumPy's Newton iterations is L-BFGS's answer.
  @Test func softmaxRegressionReachesNewtonsOptimum() throws {
    let x: [Float] = [0, 0, 1, 0.2, 0.3, 1, -0.5, 0.4, 1.2, 0.9, 0.1, -0.8, 0.6, 0.6, -1, -0.3, 0.4, 0.1]
    let y = [0, 0, 1, 2, 1, 1, 2, 0, 2]
    let l2 = 0.05
    let fit = try analysis.fitSoftmaxRegression(FeatureMatrix(rows: 9, columns: 2, values: x), labels: y, classes: 3,
                                                settings: SoftmaxRegressionSettings(l2: l2, maxIterations: 500, tolerance: 1e-10))
    let truth = try Self.newton(x: x, n: 9, d: 2, y: y, k: 3, l2: l2)
    #expect(maxAbsDifference(fit.weights.map(Double.init), truth.w) < 1e-5, "\(fit.weights) vs \(truth.w)")
    #expect(maxAbsDifference(fit.bias.map(Double.init), truth.b) < 1e-5, "\(fit.bias) vs \(truth.b)")
    #expect(abs(fit.loss - truth.loss) < 1e-9, "\(fit.loss) vs \(truth.loss)")
    #expect(fit.evaluations > 1)
  }

  @Test func softmaxRegressionRefusesLabelsOutsideTheClasses() throws {
    let error = #expect(throws: FourierLensError.self) {
      try analysis.fitSoftmaxRegression(FeatureMatrix(rows: 2, columns: 1, values: [0, 1]), labels: [0, 3], classes: 2,
                                        settings: SoftmaxRegressionSettings(l2: 0))
    }
    #expect("\(error!)".contains("labels must lie in 0..1"), "\(error!)")
  }
}
