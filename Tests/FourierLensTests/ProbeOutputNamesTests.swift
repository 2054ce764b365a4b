import Testing
@testable import FourierLens

/// File stems of the probes of one run (no plugins needed: heat map and pass-band probes).
@Suite struct ProbeOutputNamesTests {
  static let noPlugins = PluginRegistry(searchPath: PluginSearchPath(entries: []))

  static func names(_ texts: [String]) throws -> [String] {
    try ProbeFactory.makeAll(texts, host: ProbeHost(registry: noPlugins)).map(\.fileStem)
  }

  @Test func sharedNamesGetTheirOptionsAndLoneProbesKeepTheirs() throws {
    #expect(try Self.names(["heatmap:eps=2", "heatmap", "heatmap:eps=8,through_mask=false", "passband:radial=4"])
            == ["heatmap_eps=2", "heatmap", "heatmap_eps=8,through_mask=false", "passband"])
    #expect(try Self.names(["heatmap:eps=2"]) == ["heatmap"])
  }

  @Test func theSameProbeTwiceIsRefusedWhateverTheOptionOrder() {
    for pair in [["heatmap:eps=2", "heatmap: eps = 2"], ["passband:radial=4,angular=2", "passband:angular=2,radial=4"], ["accuracy", "accuracy"]] {
      #expect(performing: { try Self.names(pair) }, throws: { error in
        guard case let .badOption(name, reason)? = error as? FourierLensError else { return false }
        return name == "--probe \(pair[1])" && reason.contains("the same probe as --probe \(pair[0])")
      })
    }
  }
}
