import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens bench mask-step`: one step of dataset-mask learning through `MaskOptimization`.
struct MaskStepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mask-step",
    abstract: "One step of dataset-mask learning: the paper's loss, the --param mask, the --transform.")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var input: BenchInputOptions
  @OptionGroup var modelOptions: BenchModelOptions
  @OptionGroup var frequency: BenchTransformOption

  @Option(name: .long, help: ArgumentHelp("Mask parameterization plugin spec.", valueName: "spec"))
  var param = "free"

  @Option(name: .customLong("lambda"), help: "Weight of the sparsity term.")
  var lambda: Float = MaskLearningConfig().lambda

  @Option(name: .long, help: "Adam learning rate.")
  var lr: Float = MaskLearningConfig().learningRate

  @OptionGroup var plugins: PluginPathOptions

  func run() throws {
    var setup = try ModelBenchSetup("mask-step", timing: timing, input: input, modelOptions: modelOptions)
    let (model, data) = (setup.model, setup.data)
    let d = model.description
    let transform = frequency.transform
    var config = MaskLearningConfig()
    config.transform = transform
    config.lambda = lambda
    config.learningRate = lr
    config.batchSize = input.batch
    config.seed = timing.seed
    let mask = try plugins.registry().makeMask(param, channels: d.input[0], height: d.input[1], width: d.input[2],
                                               layout: config.layout, transform: transform)
    let learner = try MaskLearner(model: model, parameterization: mask, config: config)
    learner.showsProgress = false
    var optimization = try MaskOptimization(learner: learner, batch: data)
    if let dump = input.dump {
      let first = try optimization.objective(on: data)
      try NPY.write(Tensor(shape: [first.thetaGradient.count], data: first.thetaGradient), to: dump + "/theta_gradient.npy")
      setup.result.firstLoss = Double(first.loss)
    }
    // Steps alternate with the frequency stage alone on the same batch, so both see the same load.
    for _ in 0..<timing.warmup {
      try optimization.step(on: data, learningRate: lr)
      _ = try optimization.frequencyStage(data.images, outputGradient: data.images)
    }
    var stepSeconds = 0.0, frequencySeconds = 0.0, stepCPU = 0.0
    var best = Double.infinity
    for _ in 0..<timing.steps {
      let c0 = ProcessMeasures.cpuSeconds()
      let s0 = DispatchTime.now().uptimeNanoseconds
      try optimization.step(on: data, learningRate: lr)
      let s1 = DispatchTime.now().uptimeNanoseconds
      stepCPU += ProcessMeasures.cpuSeconds() - c0
      _ = try optimization.frequencyStage(data.images, outputGradient: data.images)
      let s2 = DispatchTime.now().uptimeNanoseconds
      stepSeconds += Double(s1 - s0) / 1e9
      frequencySeconds += Double(s2 - s1) / 1e9
      best = min(best, Double(s1 - s0) / 1e9)
    }
    // The step runs a forward pass and the input gradient's backward pass.
    timing.record(StepTimes(wall: stepSeconds, cpu: stepCPU, best: best), images: input.batch,
                  flopsPerImage: 2 * setup.forwardFLOPs, into: &setup.result)
    setup.result.frequencySecondsPerStep = frequencySeconds / Double(timing.steps)
    setup.result.frequencyFraction = frequencySeconds / stepSeconds
    setup.result.transform = transform.rawValue
    setup.result.param = param
    setup.result.finalLoss = Double(try optimization.objective(on: data).loss)
    try timing.print(setup.result)
  }
}

/// `flens bench attack-step`: one call of an attack plugin.
struct AttackStepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attack-step", abstract: "One call of the --attack plugin (PGD-10 by default).")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var input: BenchInputOptions
  @OptionGroup var modelOptions: BenchModelOptions

  @Option(name: .long, help: ArgumentHelp("Attack plugin spec.", valueName: "spec"))
  var attack = "pgd-linf:eps=0.03,steps=10"

  @OptionGroup var plugins: PluginPathOptions

  func run() throws {
    var setup = try ModelBenchSetup("attack-step", timing: timing, input: input, modelOptions: modelOptions)
    let (model, data) = (setup.model, setup.data)
    let attackPlugin = try plugins.registry().makeAttack(attack)
    // Count the model calls once (untimed) for the FLOP figure.
    let counter = CountingClassifier(base: model)
    _ = try attackPlugin.perturb(data, model: counter, seed: timing.seed)
    var s: UInt64 = timing.seed
    let t = try timing.time {
      s &+= 1
      _ = try attackPlugin.perturb(data, model: model, seed: s)
    }
    let perImage = (Double(counter.gradientImages) * 2 * setup.forwardFLOPs + Double(counter.forwardImages) * setup.forwardFLOPs)
      / Double(input.batch)
    timing.record(t, images: input.batch, flopsPerImage: perImage, into: &setup.result)
    setup.result.attack = attack
    setup.result.gradientCalls = counter.gradientCalls
    try timing.print(setup.result)
  }
}

/// `flens bench train-step`: one SGD step in training mode, as `TorchTrainer` takes it.
struct TrainStepBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-step", abstract: "One SGD step in training mode, with the one-cycle learning rate.")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var input: BenchInputOptions
  @OptionGroup var modelOptions: BenchModelOptions

  func run() throws {
    var setup = try ModelBenchSetup("train-step", timing: timing, input: input, modelOptions: modelOptions)
    let optimizer = try TorchOptimizer(model: setup.model, kind: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4)
    let schedule = OneCycleSchedule(maxLR: 0.1, totalSteps: 100)
    var step = 0
    var loss: Float = 0
    let t = try timing.time {
      // The rate changes every step, as in TorchTrainer: its one-cycle schedule over 100 steps, repeated.
      try optimizer.setLearningRate(Double(schedule.learningRate(at: step % 100)))
      loss = try optimizer.step(setup.data, seed: UInt64(step)).loss
      step += 1
    }
    // Forward, input-gradient and weight-gradient passes.
    timing.record(t, images: input.batch, flopsPerImage: 3 * setup.forwardFLOPs, into: &setup.result)
    setup.result.lastLoss = Double(loss)
    try timing.print(setup.result)
  }
}

/// `flens bench masked-forward`: logits through a mask, as the probes compute them.
struct MaskedForwardBench: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "masked-forward", abstract: "Logits through a random mask, as the probes compute them.")

  @OptionGroup var timing: BenchRunOptions
  @OptionGroup var input: BenchInputOptions
  @OptionGroup var modelOptions: BenchModelOptions
  @OptionGroup var frequency: BenchTransformOption

  func run() throws {
    var setup = try ModelBenchSetup("masked-forward", timing: timing, input: input, modelOptions: modelOptions)
    let d = setup.model.description
    let transform = frequency.transform
    var mrng = SeededGenerator(seed: SeededGenerator.derive(timing.seed, 7))
    let op = try MaskOperator(kind: transform, channels: d.input[0], height: d.input[1], width: d.input[2], layout: .shared)
    let mask = (0..<op.maskSize).map { _ in mrng.nextUniform() }
    let masked = try MaskedClassifier(base: setup.model, mask: mask, transform: transform, layout: .shared)
    let images = setup.data.images
    if let dump = input.dump {
      try NPY.write(Tensor(shape: op.maskShape, data: mask), to: dump + "/mask.npy")
      try NPY.write(Tensor(shape: [input.batch, d.classes.count], data: masked.logits(images)), to: dump + "/logits.npy")
    }
    let t = try timing.time { _ = try masked.logits(images) }
    timing.record(t, images: input.batch, flopsPerImage: setup.forwardFLOPs, into: &setup.result)
    setup.result.transform = transform.rawValue
    try timing.print(setup.result)
  }
}
