import FourierLensPluginKit

/// Options shared by the gradient attacks.
enum AttackOptions {
  static let space = PluginParameter.choice(
    "space", ["pixel", "normalized"], default: "pixel",
    help: "where eps and alpha are measured: pixel space [0, 1], or the model's normalised input (x - mean) / std")
  static let targeted = PluginParameter.bool("targeted", default: false, help: "move towards a target class instead of away from the label")
  static let target = PluginParameter.int("target", default: -1, min: -1, help: "target class for targeted attacks; -1: (label + 1) mod classes")
  static let loss = PluginParameter.choice("loss", ["ce", "margin"], default: "ce",
                                           help: "objective: cross-entropy, or the Carlini-Wagner logit margin")
  static let steps = PluginParameter.int("steps", default: 10, min: 1, max: 100_000, help: "gradient steps")
  static let restarts = PluginParameter.int("restarts", default: 1, min: 1, max: 1000, help: "random restarts; each image keeps its strongest")
  static let randomStart = PluginParameter.bool("random_start", default: true, help: "start from a random point in the eps-ball")

  static func objective(_ options: PluginOptions) throws -> PluginModel.Objective {
    try options.string("loss") == "margin" ? .logitMargin : .crossEntropy
  }
}

extension PGDConfig {
  /// A configuration with the options every gradient attack reads (`targeted`, `target`,
  /// `loss`, `space`), and `restarts` and `random_start` for the iterated attacks (FGSM's
  /// single step has neither: one start, at the image).
  init(_ norm: Norm, eps: Float, alpha: Float, steps: Int, options: PluginOptions, iterated: Bool = true) throws {
    self.init(norm: norm, eps: eps, alpha: alpha, steps: steps,
              restarts: iterated ? try options.int("restarts") : 1, randomStart: iterated ? try options.bool("random_start") : false,
              targeted: try options.bool("targeted"), target: try options.int("target"),
              objective: try AttackOptions.objective(options), normalisedSpace: try options.string("space") == "normalized")
  }
}

/// An attack that is PGD with one configuration and no projection (FGSM, PGD L∞, PGD L2).
protocol PlainPGDAttack: AttackPlugin {
  var config: PGDConfig { get }
}

extension PlainPGDAttack {
  func run(model: PluginModel, images: UnsafeBufferPointer<Float>, shape: BatchShape, labels: UnsafeBufferPointer<Int32>,
           seed: UInt64, output: UnsafeMutableBufferPointer<Float>) throws {
    try PGD.run(config, projector: nil, model: model, images: images, shape: shape, labels: labels, seed: seed, output: output)
  }
}

/// Fast gradient sign method (Goodfellow et al. 2015): one L∞ step of size ε.
final class FGSMAttack: PlainPGDAttack {
  static let name = "fgsm"
  static let summary = "fast gradient sign method: x + eps * sign(grad), one L-infinity step"
  static let parameters: [PluginParameter] = [
    .float("eps", default: 0.03, min: 0, max: 1, help: "L-infinity budget"),
    AttackOptions.space, AttackOptions.targeted, AttackOptions.target, AttackOptions.loss,
  ]

  let config: PGDConfig

  init(options: PluginOptions) throws {
    let eps = try options.float("eps")
    config = try PGDConfig(.linf, eps: eps, alpha: eps, steps: 1, options: options, iterated: false)
  }
}

/// PGD under an L∞ budget (Madry et al. 2018). The defaults step by ε/8 for 10 steps, the
/// paper's adversarial-training setting (which states ε = 0.06 in normalised units:
/// `pgd-linf:eps=0.06,space=normalized`).
final class PGDLinfAttack: PlainPGDAttack {
  static let name = "pgd-linf"
  static let summary = "projected gradient descent in an L-infinity ball (random start, restarts, targeted)"
  static let parameters: [PluginParameter] = [
    .float("eps", default: 0.03, min: 0, max: 1, help: "L-infinity budget"),
    .float("alpha", default: 0, min: 0, max: 1, help: "step size; 0: eps/8 (the paper's ratio)"),
    AttackOptions.steps, AttackOptions.restarts, AttackOptions.randomStart,
    AttackOptions.space, AttackOptions.targeted, AttackOptions.target, AttackOptions.loss,
  ]

  let config: PGDConfig

  init(options: PluginOptions) throws {
    let eps = try options.float("eps")
    let alpha = try options.float("alpha")
    config = try PGDConfig(.linf, eps: eps, alpha: alpha > 0 ? alpha : eps / 8, steps: try options.int("steps"), options: options)
  }
}

/// PGD under an L2 budget per image.
final class PGDL2Attack: PlainPGDAttack {
  static let name = "pgd-l2"
  static let summary = "projected gradient descent in an L2 ball per image (random start, restarts, targeted)"
  static let parameters: [PluginParameter] = [
    .float("eps", default: 0.5, min: 0, max: 1000, help: "L2 budget per image"),
    .float("alpha", default: 0, min: 0, max: 1000, help: "step size; 0: 2.5 * eps / steps (Madry et al.)"),
    AttackOptions.steps, AttackOptions.restarts, AttackOptions.randomStart,
    AttackOptions.space, AttackOptions.targeted, AttackOptions.target, AttackOptions.loss,
  ]

  let config: PGDConfig

  init(options: PluginOptions) throws {
    let eps = try options.float("eps")
    let alpha = try options.float("alpha")
    let steps = try options.int("steps")
    config = try PGDConfig(.l2, eps: eps, alpha: alpha > 0 ? alpha : 2.5 * eps / Float(steps), steps: steps, options: options)
  }
}
