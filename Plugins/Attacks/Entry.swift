import FourierLensPluginKit

/// The library's one exported symbol: registers every bundled attack.
@_cdecl("flens_plugin_entry")
public func flensPluginEntry(_ abi: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?) -> Int32 {
  PluginExport.register(abi, host, registrar, [
    FGSMAttack.self, PGDLinfAttack.self, PGDL2Attack.self, BandPGDAttack.self, FourierNoiseAttack.self, DeepFoolAttack.self,
  ])
}
