import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

/// The λ path of `learn-mask --retention` in reports (from `path.csv` and every
/// `retention-<R>/summary.json`), both retentions and the images behind them, and masks of
/// λ that did not converge.
@Suite struct ReportLambdaPathTests {
  static let learning = ImageRange(split: .test, offset: 0, count: 2000)
  static let validation = ImageRange(split: .test, offset: 2000, count: 1000)

  /// One tried λ: (λ, sparsity, learning retention, validation retention, converged).
  typealias Tried = (lambda: Float, sparsity: Float, learning: Float, validation: Float, converged: Bool)

  /// Steps in the order a path tries them: bracketing 0.01, 0.02, 0.04, 0.08, then bisecting.
  /// λ 0.0566 did not converge.
  static let tried: [Tried] = [(0.01, 0.8, 0.99, 0.985, true), (0.02, 0.6, 0.975, 0.96, true), (0.04, 0.4, 0.95, 0.915, true),
                               (0.08, 0.25, 0.85, 0.8, true), (0.0566, 0.3, 0.91, 0.87, false), (0.0283, 0.5, 0.965, 0.94, true)]

  /// `path.csv` of one seed as `learn-mask --retention` writes it (clean accuracy 0.8 on both image sets).
  static func pathCSV(seed: UInt64, _ steps: [Tried]) -> String {
    steps.enumerated().map { i, s in
      let warm = i == 0 ? "" : "\(i - 1)"
      return "\(seed),0,\(i),\(s.lambda),\(0.8 * s.learning),0.8,\(s.learning),\(s.sparsity),2000,"
        + "\(0.8 * s.validation),0.8,\(s.validation),1000,\(s.converged ? 1 : 0),\(100 * (i + 1)),\(warm)"
    }.joined(separator: "\n")
  }

  static let header = "seed,group,step,lambda,masked_accuracy,clean_accuracy,retention,sparsity,images,"
    + "validation_masked_accuracy,validation_clean_accuracy,validation_retention,validation_images,converged,"
    + "optimizer_steps,warm_start_step"

  /// A `learn-mask --retention 0.95,0.9` directory: path.csv and the masks chosen, with every
  /// key the summaries now carry. R 0.95 chose λ 0.0283, R 0.9 chose λ 0.04.
  static func writeRun(_ dir: String, seed: UInt64 = 7, unconvergedChoice: Bool = false) throws {
    for (target, step) in [(Float(0.95), 5), (0.9, 2)] {
      let s = tried[step]
      try ReportRetentionTests.writeMask(dir, target: target, clean: 0.8, masked: 0.8 * s.learning)
      let maskDir = dir + "/" + RetentionPathConfig.directoryName(target)
      var summary = try MaskRunDirectory.read(maskDir).summary
      summary.seed = seed
      summary.lambda = s.lambda
      summary.learningRetention = s.learning
      summary.validationRetention = s.validation
      summary.validationCleanAccuracy = 0.8
      summary.validationMaskedAccuracy = 0.8 * s.validation
      summary.learningImages = learning
      summary.validationImages = validation
      summary.converged = unconvergedChoice && target == 0.95 ? false : s.converged
      try AtomicFile.writeJSON(summary, to: MaskRunDirectory.summaryFile(maskDir))
    }
    try (header + "\n" + pathCSV(seed: seed, tried) + "\n").write(toFile: dir + "/path.csv", atomically: true, encoding: .utf8)
  }

  static func writeProbe(_ dir: String, range: ImageRange) throws {
    try ReportFixture.writeJSON(["clean_accuracy": 0.8, "masked_accuracy": 0.75, "complementary_accuracy": 0.12, "count": range.count,
                                 "image_range": ["split": range.split!.rawValue, "offset": range.offset, "count": range.count]],
                                to: dir + "/accuracy.json")
  }

  /// (cx, cy) of the `<circle>`s of an SVG with this class.
  static func circles(_ svg: String, class name: String) throws -> [(Double, Double)] {
    let tag = try Regex("<circle class=\"\(name)\" cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"")
    return svg.matches(of: tag).map { (Double($0.output[1].substring!)!, Double($0.output[2].substring!)!) }
  }

  @Test func reportOfOneRetentionRunShowsItsPathSortedWithTheChosenLambdaOfEveryTarget() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.writeRun(root + "/masks")
    try FileManager.default.createDirectory(atPath: root + "/masks/probes/retention-0.95", withIntermediateDirectories: true)
    try Self.writeProbe(root + "/masks/probes/retention-0.95", range: ImageRange(split: .test, offset: 3000, count: 500))
    let out = root + "/report"
    let summary = try ReportGenerator.generate(runDirectories: [root + "/masks"], options: ReportOptions(retention: 0.95), to: out)
    #expect(summary.sections.contains("lambda-path"))
    #expect(summary.data.contains("data/path.csv"))
    #expect(summary.figures.contains("figures/lambda-path-retention.svg") && summary.figures.contains("figures/lambda-path-sparsity.svg"))

    // data/path.csv: sorted by λ, both retentions, which target chose which λ.
    let rows = try String(contentsOfFile: out + "/data/path.csv", encoding: .utf8).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let column = Dictionary(uniqueKeysWithValues: rows[0].enumerated().map { ($1, $0) })
    let body = rows.dropFirst()
    #expect(body.count == Self.tried.count)
    #expect(body.map { Float($0[column["lambda"]!])! } == Self.tried.map(\.lambda).sorted())
    let byLambda = Dictionary(uniqueKeysWithValues: body.map { (Float($0[column["lambda"]!])!, $0) })
    #expect(byLambda[0.0283]![column["chosen_for"]!] == "0.95")
    #expect(byLambda[0.04]![column["chosen_for"]!] == "0.9")
    #expect(byLambda[0.02]![column["chosen_for"]!] == "")
    #expect(byLambda[0.0566]![column["converged"]!] == "no" && byLambda[0.04]![column["converged"]!] == "yes")
    #expect(byLambda[0.04]![column["validation_retention"]!] == "0.915")
    #expect(byLambda[0.04]![column["learning_retention"]!] == "0.95")
    #expect(byLambda[0.0566]![column["step"]!] == "4" && byLambda[0.0566]![column["warm_start_step"]!] == "3")

    // The figures: points sorted by λ, a ring at the chosen λ of each R, a cross for the unconverged λ.
    let retention = try String(contentsOfFile: out + "/figures/lambda-path-retention.svg", encoding: .utf8)
    let sparsity = try String(contentsOfFile: out + "/figures/lambda-path-sparsity.svg", encoding: .utf8)
    for svg in [retention, sparsity] {
      let lines = svg.matches(of: try Regex(#"<polyline class="series" points="([^"]+)""#)).map { m in
        String(m.output[1].substring!).split(separator: " ").map { Double($0.split(separator: ",")[0])! }
      }
      #expect(!lines.isEmpty)
      for xs in lines { #expect(xs == xs.sorted() && xs.count == Self.tried.count) }
      let dots = try Self.circles(svg, class: "converged").map(\.0)
      #expect(dots.count == 5 * lines.count, "one dot per converged λ of every line")
      #expect(svg.components(separatedBy: "class=\"unconverged\"").count - 1 == lines.count, "one cross per line")
      let rings = try Self.circles(svg, class: "chosen")
      #expect(rings.count == 2)
      // λ sorted: 0.01, 0.02, 0.0283, 0.04, …; R 0.95 at the third, R 0.9 at the fourth.
      let xs = Array(Set(dots)).sorted()
      #expect(rings.map(\.0).sorted() == [xs[2], xs[3]])
      #expect(svg.contains(">R 95.0 %</text>") && svg.contains(">R 90.0 %</text>"))
      #expect(svg.contains("λ (sparsity weight, log scale)") && svg.contains("λ chosen for retention R")
              && svg.contains("λ not converged"))
    }
    // Learning and validation retention are two lines, told apart in the legend.
    #expect(retention.contains("learning images") && retention.contains("validation images (held out)"))
    #expect(retention.components(separatedBy: "class=\"series\"").count - 1 == 2)

    // The summary table: both retentions, the images named, the probe's images said to be held out.
    let page = try XMLNode.parse(file: out + "/index.html")
    let table = try #require(page.first(id: "summary-table"))
    let cells = table.all(named: "td")
    func value(_ key: String) -> Float? { cells.first { $0.attributes["data-key"] == key }.flatMap { Float($0.attributes["data-value"] ?? "") } }
    #expect(abs(try #require(value("retention")) - 0.965) < 1e-6)
    #expect(value("validation_retention") == 0.94)
    let caption = try #require(table.all(named: "caption").first).textContent
    #expect(caption.contains("test[0..<2000]") && caption.contains("test[2000..<3000]") && caption.contains("test[3000..<3500]"))
    let html = try String(contentsOfFile: out + "/index.html", encoding: .utf8)
    #expect(!html.contains("typically on held-out"))
    #expect(page.textContent.contains("disjoint from the images every mask was learned on"))
    let csv = try String(contentsOfFile: out + "/data/summary.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv[0].hasSuffix("learning_retention,validation_retention,validation_clean_accuracy,validation_masked_accuracy,"
                             + "learning_images,validation_images,converged"))
    #expect(csv[1].hasSuffix(",test[0..<2000],test[2000..<3000],yes") && csv[1].contains(",0.965,0.94,0.8,"))
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/data/summary.json"))) as! [String: Any]
    let model = (json["models"] as! [[String: Any]])[0]
    #expect(model["validation_retention"] as? Double == 0.94)
    #expect((model["validation_images"] as? [String: Any])?["offset"] as? Int == 2000)
    #expect(((model["probe_images"] as? [String: Any])?["accuracy"] as? [String: Any])?["count"] as? Int == 500)
  }

  @Test func maskFromAnUnconvergedLambdaIsFlaggedNamingTheModel() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try Self.writeRun(root + "/run/masks/standard")
    try Self.writeRun(root + "/run/masks/robust", unconvergedChoice: true)
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/run"], options: ReportOptions(retention: 0.95), to: out)
    let notes = try ReportRetentionTests.notes(out)
    let flagged = notes.filter { $0.contains("Not converged:") && $0.contains("comes from a λ") }
    #expect(flagged.count == 1 && flagged[0].contains("robust") && flagged[0].contains("--epochs"), "\(notes)")
    let page = try XMLNode.parse(file: out + "/index.html")
    let epochs = try #require(page.first(id: "summary-table")).all(named: "td").filter { $0.attributes["data-key"] == "epochs_run" }
    #expect(epochs.map { $0.attributes["data-model"]! } == ["standard", "robust"])
    #expect(epochs.map { $0.textContent.contains("not converged") } == [false, true])
    // Both models' paths in one pair of figures: two models × two retentions, each ringed at R 0.95 and 0.9.
    let svg = try String(contentsOfFile: out + "/figures/lambda-path-retention.svg", encoding: .utf8)
    #expect(svg.components(separatedBy: "class=\"series\"").count - 1 == 4)
    #expect(try Self.circles(svg, class: "chosen").count == 4)

    // The index over both targets has the λ path, both retentions and the flag.
    var targets: [RetentionIndexPage.Target] = []
    for t in [Float(0.95), 0.9] {
      targets.append(.init(retention: t, entries: try ReportInputs.read([root + "/run"], retention: t),
                           reportDirectory: RetentionPathConfig.directoryName(t)))
    }
    try RetentionIndexPage.write(targets, inputs: [root + "/run"], to: root + "/index")
    let index = try XMLNode.parse(file: root + "/index/index.html")
    #expect(index.first(id: "lambda-path") != nil)
    #expect(FileManager.default.fileExists(atPath: root + "/index/figures/lambda-path-sparsity.svg"))
    let path = try String(contentsOfFile: root + "/index/data/path.csv", encoding: .utf8).split(separator: "\n")
    #expect(path.count == 1 + 2 * Self.tried.count)
    let table = try #require(index.first(id: "table-retention-0.95"))
    #expect(table.all(named: "td").filter { $0.attributes["data-key"] == "validation_retention" }.count == 2)
    #expect(table.textContent.contains("not converged") && table.all(named: "caption").first!.textContent.contains("test[2000..<3000]"))
    #expect(try ReportRetentionTests.notes(root + "/index").contains { $0.contains("Not converged:") && $0.contains("robust") })
  }

  @Test func olderSummariesWithoutTheNewKeysStillRender() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // A retention run of before: no path.csv, summaries without validation, images or convergence.
    try ReportRetentionTests.writeMask(root + "/old", target: 0.95, clean: 0.8, masked: 0.77)
    let raw = try String(contentsOfFile: root + "/old/retention-0.95/summary.json", encoding: .utf8)
    #expect(!raw.contains("validation_retention") && !raw.contains("learning_images"))
    let out = root + "/report"
    let summary = try ReportGenerator.generate(runDirectories: [root + "/old"], options: ReportOptions(retention: 0.95), to: out)
    #expect(!summary.sections.contains("lambda-path") && !summary.data.contains("data/path.csv"))
    let page = try XMLNode.parse(file: out + "/index.html")
    let table = try #require(page.first(id: "summary-table"))
    #expect(table.all(named: "td").first { $0.attributes["data-key"] == "validation_retention" }?.textContent == "–")
    let caption = try #require(table.all(named: "caption").first).textContent
    #expect(caption.contains("Images: not recorded") && caption.contains("no retention here is held out"))
    #expect(!page.textContent.contains("Not converged"))
  }

  @Test func learningCurvesNameTheKeptEpoch() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var summary = try ReportFixture.writeMask(root + "/fixed", mask: ReportFixture.lowPassMask(), clean: 0.8, masked: 0.79,
                                              complementary: 0.1, epochs: 6)
    summary.keptEpoch = 3
    try AtomicFile.writeJSON(summary, to: MaskRunDirectory.summaryFile(root + "/fixed"))
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/fixed"], to: out)
    let rows = try String(contentsOfFile: out + "/data/training.csv", encoding: .utf8).split(separator: "\n")
    #expect(rows[0].hasSuffix(",kept"))
    #expect(rows.dropFirst().map { $0.split(separator: ",").last! } == ["0", "0", "1", "0", "0", "0"])
    #expect(try ReportRetentionTests.notes(out).contains { $0.contains("Kept epoch") && $0.contains("fixed epoch 3") })
  }

  @Test func pathCSVOfClassMasksIsWeightedOverClassesAndBadCellsNameTheFile() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportRetentionTests.writeMask(root, target: 0.9, clean: 0.8, masked: 0.75)
    // Two classes of 300 and 100 images: retention (0.6·300 + 0.4·100) / (0.8·300 + 0.5·100).
    try (Self.header + "\n1,0,0,0.1,0.6,0.8,0.75,0.2,300,,,,,1,50,\n1,1,0,0.1,0.4,0.5,0.8,0.6,100,,,,,1,50,\n")
      .write(toFile: root + "/path.csv", atomically: true, encoding: .utf8)
    let path = try #require(try LambdaPath.read(maskDirectory: root + "/retention-0.9"))
    #expect(path.steps.count == 1)
    let step = path.steps[0]
    #expect(abs(step.learningRetention - (0.6 * 300 + 0.4 * 100) / (0.8 * 300 + 0.5 * 100)) < 1e-6)
    #expect(abs(step.sparsity - (0.2 * 300 + 0.6 * 100) / 400) < 1e-6)
    #expect(step.images == 400 && step.validationRetention == nil && step.converged == true)
    #expect(path.choices.map(\.target) == [0.9])
    // A mask directory not under retention-<R>/ has no path, whatever lies beside it.
    #expect(try LambdaPath.read(maskDirectory: root) == nil)
    try (Self.header + "\n1,0,0,x,0.6,0.8,0.75,0.2,300,,,,,1,50,\n").write(toFile: root + "/path.csv", atomically: true, encoding: .utf8)
    #expect(performing: { try LambdaPath.read(maskDirectory: root + "/retention-0.9") }, throws: { error in
      "\(error)".contains(root + "/path.csv") && "\(error)".contains("`lambda` is not a number")
    })
  }
}
