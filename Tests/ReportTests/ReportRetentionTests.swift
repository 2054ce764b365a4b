import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

/// Reports of `learn-mask --retention` directories, and the flags a page raises when the
/// masks it compares are not at matched retention or missed their target.
@Suite struct ReportRetentionTests {
  /// A mask directory as `learn-mask --retention` writes it under `dir/retention-<R>/`
  /// (or `dir` itself without a target).
  static func writeMask(_ dir: String, target: Float?, clean: Float, masked: Float, met: Bool = true,
                        mask: [Float] = ReportFixture.lowPassMask(), path: [MaskSummary.RetentionPathPoint]? = nil) throws {
    let maskDir = target.map { dir + "/" + RetentionPathConfig.directoryName($0) } ?? dir
    var summary = try ReportFixture.writeMask(maskDir, mask: mask, clean: clean, masked: masked, complementary: 0.1)
    summary.retentionTarget = target
    summary.targetMet = met
    summary.lambda = 0.3
    summary.path = path
    try AtomicFile.writeJSON(summary, to: MaskRunDirectory.summaryFile(maskDir))
  }

  static func notes(_ directory: String) throws -> [String] {
    let page = try XMLNode.parse(file: directory + "/index.html")
    return page.all(named: "p").filter { $0.attributes["class"] == "note" }.map(\.textContent)
  }

  @Test func readsRetentionDirectoriesAndShowsTheirRetention() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.writeMask(root + "/standard", target: 0.95, clean: 0.8, masked: 0.76, mask: ReportFixture.highPassMask())
    try Self.writeMask(root + "/adversarial", target: 0.95, clean: 0.5, masked: 0.477)
    let out = root + "/report"
    let summary = try ReportGenerator.generate(runDirectories: [root + "/standard", root + "/adversarial"],
                                               options: ReportOptions(retention: 0.95), to: out)
    #expect(summary.models == ["standard", "adversarial"])
    let page = try XMLNode.parse(file: out + "/index.html")
    let table = try #require(page.first(id: "summary-table"))
    let retention = table.all(named: "td").filter { $0.attributes["data-key"] == "retention" }
    #expect(retention.compactMap { Float($0.attributes["data-value"] ?? "") } == [0.76 / 0.8, 0.477 / 0.5])
    // 95.0 % against 95.4 %: matched, nothing flagged.
    #expect(try Self.notes(out).allSatisfy { !$0.contains("Not at matched retention") && !$0.contains("Target not met") })
    let csv = try String(contentsOfFile: out + "/data/summary.csv", encoding: .utf8)
    #expect(csv.split(separator: "\n")[0].contains("retention,retention_target,target_met,lambda"))

    // Without --retention the directories are refused with a message saying what to pass.
    #expect(performing: { try ReportInputs.read([root + "/standard"]) }, throws: { error in
      "\(error)".contains("retention-0.95") && "\(error)".contains("--retention R")
    })
  }

  @Test func flagsMasksAtDifferentRetentionsAndTargetsNotMet() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // Fixed λ: 99 % against 92 % of clean accuracy.
    try Self.writeMask(root + "/standard", target: nil, clean: 0.8, masked: 0.792, mask: ReportFixture.highPassMask())
    try Self.writeMask(root + "/adversarial", target: nil, clean: 0.5, masked: 0.46, met: false)
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/standard", root + "/adversarial"],
                                     options: ReportOptions(), to: out)
    let notes = try Self.notes(out)
    let mismatch = try #require(notes.first { $0.contains("Not at matched retention") })
    #expect(mismatch.contains("92.0") && mismatch.contains("99.0") && mismatch.contains("adversarial"))
    // Fixed-λ masks: the remedy is a retention run.
    #expect(mismatch.contains("--retention R"), "\(mismatch)")
    #expect(notes.contains { $0.contains("Target not met") && $0.contains("adversarial") })
    #expect(!notes.contains { $0.contains("Target not met") && $0.contains("standard") })
  }

  @Test func indexPageTablesEveryTarget() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // Two seeds' paths of three λ each.
    let path = (0..<2).flatMap { seed in
      [Float(0.01), 0.1, 1].enumerated().map { i, lambda in
        MaskSummary.RetentionPathPoint(seed: UInt64(seed), lambda: lambda, maskedAccuracy: 0.8 - 0.05 * Float(i),
                                       cleanAccuracy: 0.8, sparsity: 0.5 / Float(i + 1))
      }
    }
    for t in [Float(0.95), 0.99] {
      try Self.writeMask(root + "/masks/standard", target: t, clean: 0.8, masked: 0.8 * t + 0.001, path: path)
      try Self.writeMask(root + "/masks/adversarial", target: t, clean: 0.5, masked: t == 0.99 ? 0.45 : 0.48, met: t != 0.99)
    }
    var targets: [RetentionIndexPage.Target] = []
    for t in [Float(0.95), 0.99] {
      let entries = try ReportInputs.read([root], retention: t)
      #expect(entries.map(\.name) == ["adversarial", "standard"])
      targets.append(.init(retention: t, entries: entries, reportDirectory: RetentionPathConfig.directoryName(t)))
    }
    try RetentionIndexPage.write(targets, inputs: [root], to: root + "/report")
    let page = try XMLNode.parse(file: root + "/report/index.html")
    for t in ["retention-0.95", "retention-0.99"] {
      let table = try #require(page.first(id: "table-" + t))
      #expect(table.all(named: "tr").filter { $0.attributes["data-model"] != nil }.count == 2)
    }
    let notes = try Self.notes(root + "/report")
    // At 0.99 the adversarial mask missed (90 % retention against ≈ 99 %): both flags.
    #expect(notes.contains { $0.contains("Target not met") && $0.contains("adversarial") })
    // Masks of retention paths: the remedy is a finer path, not a retention run.
    #expect(notes.contains { $0.contains("Not at matched retention") && $0.contains("--lambda-factor") && !$0.contains("--retention R") })
    let csv = try String(contentsOfFile: root + "/report/data/retention.csv", encoding: .utf8).split(separator: "\n")
    // The trade-off curve: one line per seed of the model with a path, its points in the CSV.
    let figure = try String(contentsOfFile: root + "/report/figures/tradeoff.svg", encoding: .utf8)
    #expect(figure.contains("<svg") && page.first(id: "tradeoff") != nil)
    let trade = try String(contentsOfFile: root + "/report/data/tradeoff.csv", encoding: .utf8).split(separator: "\n")
    #expect(trade.count == 1 + 6 && trade[0] == "model,seed,lambda,masked_accuracy,clean_accuracy,retention,sparsity,validation_retention")
    #expect(trade[1] == "standard,0,0.01,0.8,0.8,1.0,0.5,")
    #expect(csv.count == 5 && csv[0] == "retention_target,model,lambda,clean_accuracy,masked_accuracy,retention,sparsity,target_met,validation_retention,converged,learning_images,validation_images")
  }
}
