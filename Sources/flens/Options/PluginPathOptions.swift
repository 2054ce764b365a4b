import ArgumentParser
import FourierLens

/// `--plugin-path DIRS`: where to look for plugin libraries before `FLENS_PLUGIN_PATH`,
/// the directory of `flens`, and `~/.local/lib/fourierlens`. Shared by every command that
/// takes a plugin spec (`--param`, `--attack`, `--augment`, ...).
struct PluginPathOptions: ParsableArguments {
  @Option(name: .customLong("plugin-path"), help: ArgumentHelp(
    "A directory of plugin libraries or a library file, searched before FLENS_PLUGIN_PATH, the flens directory and ~/.local/lib/fourierlens (repeatable; ':' separates several).",
    valueName: "dirs"))
  var pluginPath: [String] = []

  @Option(name: .customLong("plugin-timeout"), help: ArgumentHelp(
    "Seconds one plugin call may take before flens stops with an error naming the plugin (default: FLENS_PLUGIN_TIMEOUT, else no limit).",
    valueName: "s"))
  var pluginTimeout: Double?

  func validate() throws {
    if let t = pluginTimeout, !(t > 0 && t.isFinite) {
      throw FourierLensError.badOption(name: "--plugin-timeout", reason: "must be a positive number of seconds, got \(t)")
    }
  }

  /// Every plugin on the search path (libraries are loaded once per process), each call
  /// limited to `--plugin-timeout` (default FLENS_PLUGIN_TIMEOUT).
  func registry() -> PluginRegistry {
    PluginRegistry(pluginPaths: pluginPath, callTimeLimit: pluginTimeout ?? PluginCallContext.environmentTimeLimit)
  }
}
