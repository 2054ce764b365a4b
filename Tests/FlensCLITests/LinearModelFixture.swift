import Foundation
import FourierLens

/// A two-class linear model z = (0, w·x + b), built with PyTorch (`.venv/bin/python`, or
/// FLENS_PYTHON; required) as TorchScript and imported with `flens import --torchscript`,
/// plus images.npy/labels.npy it classifies. Its decision function f(x) = w·x + b is known,
/// so minimum-norm answers are analytic: the L2 distance to the boundary is |f|/‖w‖₂, the
/// L∞ distance |f|/‖w‖₁, and within a subspace with orthogonal projector P it is
/// |f|/‖Pw‖₂ (infinite when Pw = 0).
///
/// Each image is x = u − (ŵ·u + 0.1 − t)·ŵ with u uniform in [0.35, 0.65] and ŵ = w/‖w‖,
/// ‖w‖ = 2.5, b = 0.25, so that f(x)/‖w‖ = t with |t| in [0.05, 0.3] (alternating signs): every boundary is close enough that
/// the minimal perturbation stays inside the pixel box. With `dctBlock` (row, col, size), w
/// is an inverse orthonormal DCT of coefficients that are non-zero in that block only.
struct LinearModelFixture {
  let directory: URL
  let model: String
  let data: String
  /// The model's weight row w (float32 values, as the model holds them) and bias b.
  let weights: [Double]
  let bias: Double
  let images: Tensor

  static let script = #"""
  import os, sys
  import numpy as np
  import torch
  out, (c, h, w_), n, block = sys.argv[1], map(int, sys.argv[2].split(",")), int(sys.argv[3]), sys.argv[4]
  rng = np.random.default_rng(7)
  d = c * h * w_

  def dct_matrix(size):
      k, j = np.arange(size)[:, None], np.arange(size)[None, :]
      m = np.sqrt(2.0 / size) * np.cos(np.pi * k * (j + 0.5) / size)
      m[0] /= np.sqrt(2.0)
      return m  # orthonormal DCT-II: X = M x M^T

  if block == "none":
      w = rng.standard_normal(d)
  else:
      r, q, b = map(int, block.split(","))
      coefficients = np.zeros((c, h, w_))
      coefficients[:, r * b:(r + 1) * b, q * b:(q + 1) * b] = rng.standard_normal((c, b, b))
      w = np.stack([dct_matrix(h).T @ coefficients[k] @ dct_matrix(w_) for k in range(c)]).reshape(d)
  w /= np.linalg.norm(w)
  bias = 0.1
  u = rng.uniform(0.35, 0.65, (n, d))
  t = rng.uniform(0.05, 0.3, n) * np.where(np.arange(n) % 2 == 0, 1.0, -1.0)
  x = u - ((u @ w) + bias - t)[:, None] * w[None, :]
  assert x.min() > 0.05 and x.max() < 0.95, (x.min(), x.max())

  net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(d, 2))
  with torch.no_grad():
      # Scaled by 2.5 so that ‖w‖ ≠ 1 in the model: norms must divide where they should.
      net[1].weight.copy_(torch.tensor(np.stack([np.zeros(d), 2.5 * w]), dtype=torch.float32))
      net[1].bias.copy_(torch.tensor([0.0, 2.5 * bias], dtype=torch.float32))
  net.eval()
  torch.jit.trace(net, torch.rand(2, c, h, w_)).save(os.path.join(out, "linear.pt"))
  os.makedirs(os.path.join(out, "data"))
  images = x.reshape(n, c, h, w_).astype(np.float32)
  np.save(os.path.join(out, "data", "images.npy"), images)
  np.save(os.path.join(out, "data", "labels.npy"), (t > 0).astype(np.int64))
  np.save(os.path.join(out, "w.npy"), net[1].weight[1].detach().numpy().astype(np.float32))
  np.save(os.path.join(out, "b.npy"), net[1].bias[1:].detach().numpy().astype(np.float32))
  """#

  /// Builds and imports the model; the caller removes `directory`.
  static func make(shape: [Int] = [1, 16, 16], count: Int = 8, dctBlock: (row: Int, col: Int, size: Int)? = nil) throws -> LinearModelFixture {
    let dir = try FlensCLI.temporaryDirectory()
    let block = dctBlock.map { "\($0.row),\($0.col),\($0.size)" } ?? "none"
    try PythonScript.run(script, in: dir, arguments: [dir.path, shape.map(String.init).joined(separator: ","), "\(count)", block])
    let model = dir.appendingPathComponent("model").path
    let channels = shape[0]
    let imported = try FlensCLI.run(["import", "--torchscript", dir.appendingPathComponent("linear.pt").path,
                                     "--input", shape.map(String.init).joined(separator: ","),
                                     "--mean", Array(repeating: "0", count: channels).joined(separator: ","),
                                     "--std", Array(repeating: "1", count: channels).joined(separator: ","),
                                     "--classes", "2", "--threads", "1", "--out", model])
    guard imported.exitCode == 0 else { throw FourierLensError.message("flens import failed: \(imported)") }
    return LinearModelFixture(
      directory: dir, model: model, data: dir.appendingPathComponent("data").path,
      weights: try NPY.readTensor(dir.appendingPathComponent("w.npy").path).data.map(Double.init),
      bias: Double(try NPY.readTensor(dir.appendingPathComponent("b.npy").path).data[0]),
      images: try NPY.readTensor(dir.appendingPathComponent("data/images.npy").path))
  }

  /// f(x_i) = w·x_i + b for every image, in double precision.
  var decisionValues: [Double] {
    let d = weights.count
    return (0..<images.shape[0]).map { i in
      zip(weights, images.data[i * d ..< (i + 1) * d]).reduce(bias) { $0 + $1.0 * Double($1.1) }
    }
  }

  var l2Norm: Double { weights.reduce(0) { $0 + $1 * $1 }.squareRoot() }
  var l1Norm: Double { weights.reduce(0) { $0 + abs($1) } }
}
