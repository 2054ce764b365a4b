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

  /// Every plugin on the search path (libraries are loaded once per process).
  func registry() -> PluginRegistry {
    PluginRegistry(pluginPaths: pluginPath)
  }
}
