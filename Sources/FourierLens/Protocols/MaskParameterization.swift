/// A way to produce a frequency mask M from parameters θ (the paper's `free` mask is
/// θ = M; parametric masks have few parameters). Bundled and third-party
/// parameterizations are plugins; the plugin host adapts them to this protocol.
public protocol MaskParameterization: AnyObject {
  /// The plugin's name (`free`, `radial`, ...).
  var name: String { get }
  /// Shape of M: [H, W] (one mask for all channels) or [C, H, W] (one per channel), in the
  /// transform's unshifted layout.
  var maskShape: [Int] { get }
  /// Number of parameters θ.
  var parameterCount: Int { get }
  /// θ₀ (for `free`: all ones).
  func initialParameters() throws -> [Float]
  /// M(θ).
  func mask(_ theta: [Float]) throws -> [Float]
  /// Vector–Jacobian product: given ∂L/∂M, return ∂L/∂θ.
  func vectorJacobianProduct(_ theta: [Float], maskGradient: [Float]) throws -> [Float]
  /// Projection onto the feasible set after an optimiser step (for `free`: clamp to [0, 1]).
  func project(_ theta: inout [Float]) throws
}
