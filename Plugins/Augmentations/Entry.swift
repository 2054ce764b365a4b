import FourierLensPluginKit

/// The library's one exported symbol: registers every bundled augmentation.
@_cdecl("flens_plugin_entry")
public func flensPluginEntry(_ abi: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?) -> Int32 {
  PluginExport.register(abi, host, registrar, [
    BaseAugmentation.self, ScaleAugmentation.self, TranslateAugmentation.self, RotateAugmentation.self,
    GaussianNoiseAugmentation.self, BlurAugmentation.self, ContrastAugmentation.self, CutoutAugmentation.self,
    LowpassAugmentation.self, HighpassAugmentation.self, BandNoiseAugmentation.self,
  ])
}

/// Every augmentation draws image i's randomness from stream i of the seed, so an image's
/// result depends only on the seed and its position in the batch.
func imageRandom(_ seed: UInt64, _ image: Int) throws -> HostRandom {
  HostRandom(seed: try PluginHost.derive(seed, UInt64(image)))
}

/// Clamps every value to [0, 1].
func clampUnit(_ x: UnsafeMutableBufferPointer<Float>) {
  for i in x.indices { x[i] = min(1, max(0, x[i])) }
}
