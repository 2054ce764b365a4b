/// The optimisers `flens train` offers (libtorch's, through the shim). Here in the core
/// because a model's training record names the one it was trained with.
public enum OptimizerKind: String, CaseIterable, Codable, Sendable {
  /// SGD with momentum 0.9 (Nesterov) and weight decay, as in torch.optim.SGD.
  case sgd
  /// Adam with betas (0.9, 0.999) and L2 weight decay, as in torch.optim.Adam.
  case adam
}
