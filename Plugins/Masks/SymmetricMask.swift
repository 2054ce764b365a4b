import FourierLensPluginKit

/// A free DFT mask constrained to the Hermitian symmetry of real images' spectra,
/// M(k) = M(−k) (indices mod H, W): one parameter per pair {k, −k}, about half as many as
/// `free`. For real inputs only the symmetric part of a mask acts anyway (the real part of
/// the inverse DFT sees (M(k) + M(−k))/2), so this loses nothing and halves the search space.
final class SymmetricMask: GroupedMaskPlugin {
  static let name = "symmetric"
  static let summary = "free DFT mask with Hermitian symmetry M(k) = M(-k): half the parameters"
  static let parameters = ClampedMaskOptions.parameters

  let grouped: GroupedMask
  let initial: Float
  let clamp: Bool

  init(options: PluginOptions, request: MaskRequest) throws {
    guard request.transform == .dft else {
      throw PluginError.unsupported("the symmetric mask needs the DFT (DCT coefficients have no Hermitian pairs); use 'free'")
    }
    initial = try options.float("init")
    clamp = try options.bool("clamp")
    let (h, w) = (request.height, request.width)
    // Orbit of k under k ↦ −k: number them in row-major order of first appearance.
    var groups = [Int32](repeating: -1, count: h * w)
    var next: Int32 = 0
    for y in 0..<h {
      for x in 0..<w where groups[y * w + x] < 0 {
        let my = (h - y) % h, mx = (w - x) % w
        groups[y * w + x] = next
        groups[my * w + mx] = next
        next += 1
      }
    }
    grouped = GroupedMask(groups: groups, groupCount: Int(next), request: request)
  }
}
