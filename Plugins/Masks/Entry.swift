import FourierLensPluginKit

/// The library's one exported symbol: registers every bundled mask parameterization.
@_cdecl("flens_plugin_entry")
public func flensPluginEntry(_ abi: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?) -> Int32 {
  PluginExport.register(abi, host, registrar, [
    FreeMask.self, SymmetricMask.self, RadialMask.self, AngularMask.self, RadialAngularMask.self, LowpassMask.self,
  ])
}
