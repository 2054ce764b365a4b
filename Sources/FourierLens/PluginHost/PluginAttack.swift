import FourierLensPluginABI

/// An attack plugin instance seen as the core's `Attack`. The classifier reaches the
/// plugin as C callbacks (`flens_model`); errors the classifier throws inside a callback
/// are kept and rethrown as they were, and the adversarial batch is validated (finite,
/// within [0, 1]) before it is returned.
public final class PluginAttack: Attack {
  public let plugin: PluginInfo
  public let spec: PluginSpec
  private let ops: flens_attack_ops
  private let instance: UnsafeMutableRawPointer

  public var name: String { plugin.name }
  public var summary: String { spec.description }
  /// Model queries of every `perturb` so far (the caller takes differences per run).
  public private(set) var queries = ModelQueryCount()
  public var modelQueries: ModelQueryCount? { queries }

  init(plugin: PluginInfo, spec: PluginSpec, options: PluginOptionValues) throws {
    self.plugin = plugin
    self.spec = spec
    let ops = plugin.descriptor.pointee.attack!.pointee
    self.ops = ops
    instance = try PluginCallContext.create(plugin, options: options) { ops.create(plugin.descriptor, $0, $1) }
  }

  deinit { ops.destroy(instance) }

  public func perturb(_ batch: ImageBatch, model: Classifier, seed: UInt64) throws -> Tensor {
    let (n, c, h, w) = (batch.count, batch.channels, batch.height, batch.width)
    let desc = model.description
    if desc.input.count == 3, desc.input != [c, h, w] {
      throw FourierLensError.shapeMismatch("the model takes \(desc.input), the batch has images of [\(c), \(h), \(w)]")
    }
    let classes = model.classCount
    guard classes > 0 else { throw FourierLensError.shapeMismatch("the model has no classes") }
    if let bad = batch.labels.first(where: { $0 < 0 || $0 >= classes }) {
      throw FourierLensError.shapeMismatch("label \(bad) outside the model's \(classes) classes")
    }
    guard batch.images.isFinite else { throw FourierLensError.nonFinite("attack input batch holds NaN or infinity") }
    let mean = try Self.perChannel(desc.mean, channels: c, default: 0, what: "mean")
    let std = try Self.perChannel(desc.std, channels: c, default: 1, what: "std")
    guard n > 0 else { return batch.images }

    let context = ModelCallbacks(model: model, shape: [n, c, h, w], classes: classes, plugin: plugin)
    defer { queries.add(context.queries) }
    let box = Unmanaged.passRetained(context)
    defer { box.release() }
    let labels = batch.labels.map { Int32($0) }
    var output = [Float](repeating: .nan, count: batch.images.count)
    let ops = ops, instance = instance, plugin = plugin
    var status: flens_status = flens_status(FLENS_OK)
    var pluginError: Error?
    mean.withUnsafeBufferPointer { meanP in
      std.withUnsafeBufferPointer { stdP in
        var cModel = flens_model(
          struct_size: UInt32(MemoryLayout<flens_model>.size), channels: UInt32(c), height: UInt32(h), width: UInt32(w),
          classes: UInt32(classes), mean: meanP.baseAddress, std: stdP.baseAddress, ctx: box.toOpaque(),
          logits: ModelCallbacks.logits, loss_grad: ModelCallbacks.lossGrad)
        batch.images.data.withUnsafeBufferPointer { x in
          labels.withUnsafeBufferPointer { y in
            output.withUnsafeMutableBufferPointer { out in
              do {
                try PluginCallContext.invoke(plugin, "run") {
                  status = withUnsafePointer(to: &cModel) {
                    ops.run(instance, $0, x.baseAddress, UInt64(n), UInt32(c), UInt32(h), UInt32(w), y.baseAddress, seed, out.baseAddress)
                  }
                  return status
                }
              } catch {
                pluginError = error
              }
            }
          }
        }
      }
    }
    // The model's own failure explains more than the plugin's report of it.
    if let modelError = context.error { throw modelError }
    if let pluginError { throw pluginError }
    try PluginBufferChecks.requireUnitRange(&output, plugin, "adversarial batch", imageShape: [n, c, h, w])
    return Tensor(shape: batch.images.shape, data: output)
  }

  static func perChannel(_ values: [Float], channels: Int, default value: Float, what: String) throws -> [Float] {
    if values.isEmpty { return [Float](repeating: value, count: channels) }
    if values.count == 1 { return [Float](repeating: values[0], count: channels) }
    guard values.count == channels else {
      throw FourierLensError.shapeMismatch("the model's \(what) has \(values.count) values for \(channels) channels")
    }
    return values
  }
}

/// The classifier behind a `flens_model`: C callbacks that call it and keep the first
/// error it throws.
final class ModelCallbacks {
  let model: Classifier
  /// [N, C, H, W] of the batch being attacked; callbacks may pass any n.
  let shape: [Int]
  let classes: Int
  /// The attack calling back, for messages about what it passed.
  let plugin: PluginInfo
  var error: Error?
  /// Every call the plugin made, counted before it is checked (a refused call still asked).
  var queries = ModelQueryCount()

  init(model: Classifier, shape: [Int], classes: Int, plugin: PluginInfo) {
    self.model = model
    self.shape = shape
    self.classes = classes
    self.plugin = plugin
  }

  func tensor(_ x: UnsafePointer<Float>, _ n: Int) -> Tensor {
    let size = n * shape[1] * shape[2] * shape[3]
    return Tensor(shape: [n, shape[1], shape[2], shape[3]], data: Array(UnsafeBufferPointer(start: x, count: size)))
  }

  func fail(_ e: Error) -> flens_status {
    if error == nil { error = e }
    PluginCallContext.current.errorMessage = "model: \(e)"
    return flens_status(FLENS_ERROR_CALLBACK)
  }

  static let logits: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<Float>?, UInt64, UnsafeMutablePointer<Float>?) -> flens_status = {
    ctx, images, n, out in
    guard let ctx else { return flens_status(FLENS_ERROR_INVALID_ARGUMENT) }
    let me = Unmanaged<ModelCallbacks>.fromOpaque(ctx).takeUnretainedValue()
    me.queries.logitsCalls += 1
    me.queries.imagesEvaluated += Int(n)
    guard let images, let out, n > 0 else { return me.fail(FourierLensError.message("logits callback: null buffer or n = 0")) }
    do {
      let logits = try me.model.logits(me.tensor(images, Int(n)))
      guard logits.count == Int(n) * me.classes else {
        throw FourierLensError.shapeMismatch("the model returned \(logits.count) logits for \(n) images of \(me.classes) classes")
      }
      out.update(from: logits, count: logits.count)
      return flens_status(FLENS_OK)
    } catch {
      return me.fail(error)
    }
  }

  static let lossGrad: @convention(c) (
    UnsafeMutableRawPointer?, UnsafePointer<Float>?, UInt64, UnsafePointer<Int32>?, UInt32, UnsafePointer<Float>?,
    UnsafeMutablePointer<Float>?, UnsafeMutablePointer<Float>?
  ) -> flens_status = { ctx, images, n, labels, objective, weights, outLosses, outGrad in
    guard let ctx else { return flens_status(FLENS_ERROR_INVALID_ARGUMENT) }
    let me = Unmanaged<ModelCallbacks>.fromOpaque(ctx).takeUnretainedValue()
    me.queries.lossGradCalls += 1
    me.queries.imagesEvaluated += Int(n)
    guard let images, let labels, let outLosses, let outGrad, n > 0 else {
      return me.fail(FourierLensError.message("loss_grad callback: null buffer or n = 0"))
    }
    let count = Int(n)
    let y = (0..<count).map { Int(labels[$0]) }
    if let k = y.firstIndex(where: { $0 < 0 || $0 >= me.classes }) {
      return me.fail(FourierLensError.plugin(
        library: me.plugin.library,
        reason: "'\(me.plugin.name)' passed label \(y[k]) (image \(k) of \(count)) to the loss_grad callback; "
          + "the model's labels are 0 to \(me.classes - 1)"))
    }
    let obj: Objective
    switch Int(objective) {
    case Int(FLENS_OBJECTIVE_CROSS_ENTROPY): obj = .crossEntropy(labels: y)
    case Int(FLENS_OBJECTIVE_LOGIT_MARGIN): obj = .logitMargin(labels: y)
    default: return me.fail(FourierLensError.message("loss_grad callback: unknown objective \(objective)"))
    }
    let w = weights.map { Array(UnsafeBufferPointer(start: $0, count: count)) }
    do {
      let r = try me.model.lossAndGradient(me.tensor(images, count), objective: obj, sampleWeights: w)
      guard r.perSampleLoss.count == count, r.inputGradient.count == count * me.shape[1] * me.shape[2] * me.shape[3] else {
        throw FourierLensError.shapeMismatch("the model returned \(r.perSampleLoss.count) losses and \(r.inputGradient.count) gradient values for \(count) images")
      }
      // The ABI's losses are float32.
      outLosses.update(from: r.perSampleLoss.map { Float($0) }, count: count)
      outGrad.update(from: r.inputGradient.data, count: r.inputGradient.count)
      return flens_status(FLENS_OK)
    } catch {
      return me.fail(error)
    }
  }
}
