import FourierLensPluginKit

/// Groups frequencies by the host's band map (the same rings and sectors as `flens bands`).
/// Angular sectors of the DFT are folded: a sector and the one opposite it (angle + 180°)
/// share a parameter, because a real image's spectrum has the same magnitude at k and −k,
/// so "orientation" is defined modulo 180°. The DCT's coefficients lie in one quadrant
/// (0–90°), so there is nothing to fold.
enum BandGrouping {
  static func groups(_ request: MaskRequest, radial: Int, sectors: Int) throws -> (groups: [Int32], count: Int) {
    let angular = request.transform == .dft && sectors > 1 ? 2 * sectors : sectors
    let map = try PluginHost.bandMap(request.transform, height: request.height, width: request.width,
                                     radial: radial, angular: angular)
    let groups = map.map { index -> Int32 in
      let r = Int(index) / angular, a = Int(index) % angular
      return Int32(r * sectors + a % sectors)
    }
    return (groups, radial * sectors)
  }
}

/// Base of the band-parameterized masks: one clamped value per (ring, sector) group.
class BandMask {
  let grouped: GroupedMask
  let initial: Float
  let clamp: Bool

  init(options: PluginOptions, request: MaskRequest, radial: Int, sectors: Int) throws {
    initial = try options.float("init")
    clamp = try options.bool("clamp")
    let (groups, count) = try BandGrouping.groups(request, radial: radial, sectors: sectors)
    grouped = GroupedMask(groups: groups, groupCount: count, request: request)
  }
}

/// One value per radial ring (low to high frequency): which frequency *scales* matter.
final class RadialMask: BandMask, GroupedMaskPlugin {
  static let name = "radial"
  static let summary = "one learned value per radial frequency band (rings from DC to the corner)"
  static let parameters: [PluginParameter] =
    [.int("bands", default: 8, min: 1, max: 4096, help: "number of radial bands")] + ClampedMaskOptions.parameters

  required init(options: PluginOptions, request: MaskRequest) throws {
    try super.init(options: options, request: request, radial: try options.int("bands"), sectors: 1)
  }
}

/// One value per angular sector (folded modulo 180° for the DFT): which *orientations* matter.
final class AngularMask: BandMask, GroupedMaskPlugin {
  static let name = "angular"
  static let summary = "one learned value per angular sector (orientation, folded modulo 180 degrees for the DFT)"
  static let parameters: [PluginParameter] =
    [.int("sectors", default: 8, min: 1, max: 4096, help: "number of angular sectors over 0-180 degrees (DCT: 0-90)")]
    + ClampedMaskOptions.parameters

  required init(options: PluginOptions, request: MaskRequest) throws {
    try super.init(options: options, request: request, radial: 1, sectors: try options.int("sectors"))
  }
}

/// One value per (ring, sector) cell of the radial × angular grid.
final class RadialAngularMask: BandMask, GroupedMaskPlugin {
  static let name = "radial-angular"
  static let summary = "one learned value per cell of a radial-band x angular-sector grid"
  static let parameters: [PluginParameter] = [
    .int("bands", default: 8, min: 1, max: 4096, help: "number of radial bands"),
    .int("sectors", default: 8, min: 1, max: 4096, help: "number of angular sectors over 0-180 degrees (DCT: 0-90)"),
  ] + ClampedMaskOptions.parameters

  required init(options: PluginOptions, request: MaskRequest) throws {
    try super.init(options: options, request: request, radial: try options.int("bands"), sectors: try options.int("sectors"))
  }
}
