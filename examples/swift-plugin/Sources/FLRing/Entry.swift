import FourierLensPluginKit

// The one line that exports this library's plugins to FourierLens.
@_cdecl("flens_plugin_entry") public func flensPluginEntry(_ abi: UInt32, _ host: FlensHostServices?, _ registrar: FlensRegistrar?) -> Int32 { PluginExport.register(abi, host, registrar, [RingMask.self]) }
