import Foundation
import FourierLens

extension ExperimentSpec {
  /// `adversarial_maps:` — an adversarial map per model (Basile et al. 2023), as `flens
  /// learn-mask --adversarial`: the images are attacked with `attack` first, and a mask is
  /// learned that keeps the adversarial predictions. The mask's parameterization, transform,
  /// objective, channel layout and split are those of `masks:`, so that the experiment's
  /// `alignment` probe can compare each model's mask with its own map.
  ///
  /// ```yaml
  /// adversarial_maps: {attack: "pgd-linf:eps=0.0314,alpha=0.0078,steps=10", images: 300, lambda: 0.02}
  /// probes: {run: [accuracy, alignment]}   # alignment: each model's mask vs its map
  /// ```
  public struct AdversarialMapSpec: Codable, Equatable {
    /// The attack plugin spec (`--adversarial`).
    public var attack: String
    /// `dataset` (the default), `class` or `image`.
    public var scope: MaskScope?
    /// Images of the mask split attacked and learned on (default: `masks.images`).
    public var images: Int?
    /// As `flens learn-mask`'s options of the same names, with its defaults for the scope
    /// (maps have no retention path: λ is fixed).
    public var lambda: Float?
    public var lr: Float?
    public var epochs: Int?
    public var batch: Int?

    enum CodingKeys: String, CodingKey, CaseIterable { case attack, scope, images, lambda, lr, epochs, batch }

    public init(attack: String) { self.attack = attack }

    func validate(file: String) throws {
      func bad(_ why: String) -> FourierLensError { .badFile(path: file, reason: why) }
      do { _ = try PluginSpec.parse(attack, option: "adversarial_maps.attack") } catch let FourierLensError.badOption(_, reason) {
        throw bad("adversarial_maps.attack \(reason)")
      }
      if let images, images < 1 { throw bad("adversarial_maps.images must be ≥ 1, got \(images)") }
    }
  }
}
