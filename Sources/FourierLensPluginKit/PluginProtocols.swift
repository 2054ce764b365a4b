/// What every plugin type declares: its name, a one-line summary and its option schema.
public protocol FlensPlugin {
  /// Lower case, `[a-z0-9][a-z0-9_-]*`, unique among loaded plugins of its kind.
  static var name: String { get }
  static var summary: String { get }
  static var parameters: [PluginParameter] { get }
}

extension FlensPlugin {
  public static var parameters: [PluginParameter] { [] }
}

/// A mask parameterization θ → M (see `MaskParameterization` in the core). The host
/// creates one instance per request (image shape, layout, transform) and calls the
/// methods below from one thread at a time. Buffers are the host's, sized exactly:
/// θ buffers hold `parameterCount` floats, mask buffers `request.maskCount`.
public protocol MaskPlugin: FlensPlugin {
  /// Fails (throw `PluginError.unsupported` / `.invalidArgument`) for requests it cannot serve.
  init(options: PluginOptions, request: MaskRequest) throws
  var parameterCount: Int { get }
  /// θ₀, `parameterCount` values.
  func initialParameters() throws -> [Float]
  /// Writes M(θ) into `mask`.
  func forward(_ theta: UnsafeBufferPointer<Float>, into mask: UnsafeMutableBufferPointer<Float>) throws
  /// Writes ∂L/∂θ (overwriting) into `thetaGradient`, given ∂L/∂M in `maskGradient`.
  func vjp(_ theta: UnsafeBufferPointer<Float>, maskGradient: UnsafeBufferPointer<Float>,
           into thetaGradient: UnsafeMutableBufferPointer<Float>) throws
  /// Projects θ onto the feasible set after an optimiser step. Default: nothing.
  func project(_ theta: UnsafeMutableBufferPointer<Float>) throws
}

extension MaskPlugin {
  public func project(_ theta: UnsafeMutableBufferPointer<Float>) throws {}
}

/// An adversarial attack on a model the host passes as callbacks.
public protocol AttackPlugin: FlensPlugin {
  init(options: PluginOptions) throws
  /// Writes the adversarial batch (pixel space, [0, 1], within budget) into `output`.
  /// `images` and `output` hold `shape.elementCount` floats, `labels` `shape.count`.
  func run(model: PluginModel, images: UnsafeBufferPointer<Float>, shape: BatchShape,
           labels: UnsafeBufferPointer<Int32>, seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws
}

/// A data augmentation or corruption applied in place, deterministic for a seed.
public protocol AugmentationPlugin: FlensPlugin {
  init(options: PluginOptions) throws
  /// Changes `images` (`shape.elementCount` floats, pixel space) in place, keeping [0, 1].
  func apply(_ images: UnsafeMutableBufferPointer<Float>, shape: BatchShape, seed: UInt64) throws
}

/// The model under attack, seen through the host's callbacks. Inputs are pixel space;
/// the model normalises them itself with `mean` and `std`.
public struct PluginModel {
  public enum Objective: UInt32, Sendable {
    /// Cross-entropy with the given labels.
    case crossEntropy = 0
    /// max_{j≠y} z_j − z_y (larger means more wrong).
    case logitMargin = 1
  }

  let raw: UnsafePointer<flens_model>

  public init(_ raw: UnsafePointer<flens_model>) { self.raw = raw }

  public var channels: Int { Int(raw.pointee.channels) }
  public var height: Int { Int(raw.pointee.height) }
  public var width: Int { Int(raw.pointee.width) }
  public var classes: Int { Int(raw.pointee.classes) }
  /// Per-channel normalisation mean (C values).
  public var mean: [Float] { Array(UnsafeBufferPointer(start: raw.pointee.mean, count: channels)) }
  /// Per-channel normalisation std (C values).
  public var std: [Float] { Array(UnsafeBufferPointer(start: raw.pointee.std, count: channels)) }

  /// Logits [n, K] of `count` images.
  public func logits(_ images: UnsafeBufferPointer<Float>, count: Int) throws -> [Float] {
    guard images.count >= count * channels * height * width else { throw PluginError.internalError("logits: image buffer too small") }
    var out = [Float](repeating: 0, count: count * classes)
    let status = out.withUnsafeMutableBufferPointer {
      raw.pointee.logits(raw.pointee.ctx, images.baseAddress, UInt64(count), $0.baseAddress)
    }
    if status != flens_status(FLENS_OK) { throw PluginError.hostFailure(status) }
    return out
  }

  /// Per-image losses and the input gradient of Σᵢ wᵢ·lossᵢ (weights nil: 1/n each).
  public func lossAndGradient(
    _ images: UnsafeBufferPointer<Float>, count: Int, labels: UnsafeBufferPointer<Int32>,
    objective: Objective = .crossEntropy, weights: [Float]? = nil
  ) throws -> (losses: [Float], gradient: [Float]) {
    let size = count * channels * height * width
    guard images.count >= size, labels.count >= count, weights.map({ $0.count == count }) ?? true else {
      throw PluginError.internalError("loss_grad: buffers smaller than the batch")
    }
    var losses = [Float](repeating: 0, count: count)
    var grad = [Float](repeating: 0, count: size)
    let status = losses.withUnsafeMutableBufferPointer { l in
      grad.withUnsafeMutableBufferPointer { g in
        if let weights {
          return weights.withUnsafeBufferPointer { w in
            raw.pointee.loss_grad(raw.pointee.ctx, images.baseAddress, UInt64(count), labels.baseAddress,
                                  objective.rawValue, w.baseAddress, l.baseAddress, g.baseAddress)
          }
        }
        return raw.pointee.loss_grad(raw.pointee.ctx, images.baseAddress, UInt64(count), labels.baseAddress,
                                     objective.rawValue, nil, l.baseAddress, g.baseAddress)
      }
    }
    if status != flens_status(FLENS_OK) { throw PluginError.hostFailure(status) }
    return (losses, grad)
  }
}
