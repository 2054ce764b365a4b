import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

/// Reports of several trained networks per kind of training (`NAME@k`): differences are
/// between conditions, their intervals hierarchical, each network's value is drawn beside
/// the mean, and captions say which variation an interval covers.
@Suite struct NetworkConditionReportTests {
  /// Three networks per condition, each with three mask seeds; networks of a condition
  /// differ (sigma of the low-pass, level of the high-pass) more than their seeds do.
  static func writeConditions(_ root: String) throws -> (standard: [[[Float]]], adversarial: [[[Float]]]) {
    var standard: [[[Float]]] = [], adversarial: [[[Float]]] = []
    for k in 0..<3 {
      let s = (0..<3).map { ReportFixture.highPassMask(wobble: 0.1 * Double(k) + 0.01 * Double($0)) }
      let a = (0..<3).map { ReportFixture.lowPassMask(sigma: 2 + 0.8 * Double(k) + 0.05 * Double($0)) }
      try ReportFixture.writeMask(root + "/masks/standard@\(k)", mask: s[1], clean: 0.9, masked: 0.88, complementary: 0.2, seedMasks: s)
      try ReportFixture.writeMask(root + "/masks/adversarial@\(k)", mask: a[1], clean: 0.6, masked: 0.59, complementary: 0.1, seedMasks: a)
      standard.append(s)
      adversarial.append(a)
    }
    return (standard, adversarial)
  }

  @Test func differencesAreBetweenConditionsWithHierarchicalIntervalsAndNetworkDots() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let masks = try Self.writeConditions(root)
    let g = try ReportGenerationTests.generate([root], radial: 16, angular: 4)
    let bands = try ReportGenerationTests.json(g.directory + "/data/bands.json")
    #expect(bands["intervals_cover"] as? String == "networks and mask samples")
    let conditions = try #require(bands["conditions"] as? [[String: Any]])
    #expect(Set(conditions.compactMap { $0["name"] as? String }) == ["adversarial", "standard"])
    let adversarial = try #require(conditions.first { $0["name"] as? String == "adversarial" })
    #expect(adversarial["networks"] as? [String] == ["adversarial@0", "adversarial@1", "adversarial@2"])
    // The difference of condition means against a direct computation: mean over networks of
    // each network's mean over its seeds.
    let n = ReportFixture.size
    func share(_ networks: [[[Float]]]) -> [Double] {
      networks.map { seeds in seeds.map { ReportGenerationTests.lowFrequencyShare($0, h: n, w: n, bands: 16) }.reduce(0, +) / 3 }
    }
    let adversarialNetworks = share(masks.adversarial), standardNetworks = share(masks.standard)
    let truth = adversarialNetworks.reduce(0, +) / 3 - standardNetworks.reduce(0, +) / 3
    let difference = try #require(adversarial["low_frequency_share_difference"] as? Double)
    #expect(abs(difference - truth) < 1e-5)
    // The hierarchical interval: what the networks' spread allows, wider than one network's seeds.
    let ci = try #require(adversarial["low_frequency_share_difference_ci"] as? [Double])
    let networkDifferences = adversarialNetworks.flatMap { a in standardNetworks.map { a - $0 } }
    #expect(ci[0] <= truth && truth <= ci[1])
    #expect(ci[0] >= networkDifferences.min()! - 0.05 && ci[1] <= networkDifferences.max()! + 0.05, "\(ci) vs \(networkDifferences)")
    // Summary rows of every network carry their condition's difference and interval.
    let summary = try ReportGenerationTests.json(g.directory + "/data/summary.json")
    let rows = try #require(summary["models"] as? [[String: Any]])
    #expect(rows.count == 6)
    #expect(rows.filter { ($0["model"] as? String)?.hasPrefix("adversarial@") == true }
      .allSatisfy { ($0["low_frequency_share_difference_ci"] as? [Double]) == ci })
    // Each network's value beside the mean: three dots per bar (16 radial bands, one compared condition).
    let chart = try XMLNode.parse(file: g.directory + "/figures/bands-radial-difference.svg")
    #expect(chart.all(named: "circle").filter { $0.attributes["class"] == "point" }.count == 16 * 3)
    let profile = try XMLNode.parse(file: g.directory + "/figures/bands-angular.svg")
    #expect(profile.all(named: "circle").filter { $0.attributes["class"] == "point" }.count == 4 * 3 * 2)
    // Captions say what the intervals cover; nothing claims "beyond sampling noise".
    let captions = g.page.all(named: "figcaption").map(\.textContent).joined(separator: "\n")
      + g.page.all(named: "caption").map(\.textContent).joined(separator: "\n")
    #expect(captions.contains("hierarchical-bootstrap intervals over the trained networks"))
    #expect(!captions.contains("sampling noise"))
    #expect(!g.page.textContent.contains("Each model here is one trained network"))
  }

  @Test func withOneNetworkPerModelThePageSaysSoAndClaimsNothingBeyondIt() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportFixture.experiment(at: root)
    let g = try ReportGenerationTests.generate([root], radial: 4, angular: 4)
    let bands = try ReportGenerationTests.json(g.directory + "/data/bands.json")
    #expect(bands["intervals_cover"] as? String == "mask samples of one network")
    let text = g.page.textContent
    #expect(text.contains("Each model here is one trained network"))
    let captions = g.page.all(named: "figcaption").map(\.textContent).filter { $0.contains("Error bars") }
    #expect(!captions.isEmpty && captions.allSatisfy { $0.contains("of one trained network per model only") })
    #expect(!text.contains("sampling noise"))
    // No dots without several networks.
    let chart = try XMLNode.parse(file: g.directory + "/figures/bands-radial-difference.svg")
    #expect(chart.all(named: "circle").filter { $0.attributes["class"] == "point" }.isEmpty)
  }

  @Test func conditionNamesFollowTheNetworkSuffix() {
    #expect(ReportEntry.condition(ofName: "standard@2") == "standard")
    #expect(ReportEntry.condition(ofName: "run/pgd@0") == "run/pgd")
    for plain in ["standard", "a@b", "@3", "x@-1"] { #expect(ReportEntry.condition(ofName: plain) == plain) }
  }
}
