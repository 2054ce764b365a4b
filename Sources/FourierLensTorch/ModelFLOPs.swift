import CTorchShim
import FourierLens

/// Floating-point operations of a model's forward pass, for the roofline figure of `flens bench`.
///
/// The shim counts them while one image runs through the network (`flt_model_layer_macs`
/// watches the convolution and linear operators libtorch executes), so the count follows the
/// network's one definition in fl_torch_nets.hpp, and works for TorchScript modules too.
/// Only convolutions and linear layers are counted (2 FLOPs per multiply-add); BatchNorm,
/// ReLU, pooling, biases and additions are a few per activation and are left out, as roofline
/// figures for CNNs usually do. A backward pass that computes only the input gradient costs
/// about as much as the forward pass; one that also computes weight gradients about twice.
extension TorchModel {
  /// Multiply-accumulates per image of every convolution and linear layer, in call order.
  public func layerMultiplyAccumulates() throws -> [Int] {
    try locked {
      var count: Int64 = 0
      try ShimStatus.check(flt_model_layer_macs(handle, nil, 0, &count), model: displayName)
      var macs = [Int64](repeating: 0, count: Int(count))
      try ShimStatus.check(flt_model_layer_macs(handle, &macs, count, &count), model: displayName)
      return macs.prefix(Int(count)).map(Int.init)
    }
  }

  /// FLOPs of one image's forward pass (2 per multiply-accumulate).
  public func forwardFLOPsPerImage() throws -> Double {
    Double(2 * (try layerMultiplyAccumulates()).reduce(0, +))
  }
}
