import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

@Suite struct ReportGenerationTests {
  /// A generated report: its directory and the parsed page.
  struct Generated {
    var directory: String
    var page: XMLNode
    var summary: ReportSummary
  }

  static func generate(_ runDirectories: [String], baseline: String? = nil, radial: Int = 16, angular: Int = 8,
                       out: String? = nil) throws -> Generated {
    let directory = try out ?? (ReportFixture.temporaryDirectory() + "/report")
    let summary = try ReportGenerator.generate(
      runDirectories: runDirectories, options: ReportOptions(baseline: baseline, bands: BandSettings(radial: radial, angular: angular)),
      to: directory)
    let page = try XMLNode.parse(file: directory + "/index.html")
    return Generated(directory: directory, page: page, summary: summary)
  }

  static func json(_ path: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
  }

  /// Every file the page refers to (img src and link href), relative to the report.
  static func references(_ page: XMLNode) -> [String] {
    page.all(named: "img").compactMap { $0.attributes["src"] }
      + page.all(named: "a").compactMap { $0.attributes["href"] }.filter { !$0.hasPrefix("#") }
  }

  /// Independent truth for the low-frequency share of an unshifted H×W DFT mask: the
  /// fraction of Σv² at Euclidean radius below the lowest quarter of `bands` equal-width
  /// bands from DC to the corner (NumPy's frequency convention, computed here directly).
  static func lowFrequencyShare(_ mask: [Float], h: Int, w: Int, bands: Int) -> Double {
    let maxRadius = (Double(h / 2 * h / 2) + Double(w / 2 * w / 2)).squareRoot()
    var low = 0.0, total = 0.0
    for r in 0..<h {
      for c in 0..<w {
        let fy = Double(ReportFixture.signedFrequency(r, h)), fx = Double(ReportFixture.signedFrequency(c, w))
        let band = min(bands - 1, Int(((fx * fx + fy * fy).squareRoot() / maxRadius * Double(bands) + 1e-9).rounded(.down)))
        let e = Double(mask[r * w + c]) * Double(mask[r * w + c])
        total += e
        if band < max(1, bands / 4) { low += e }
      }
    }
    return low / total
  }

  @Test func experimentReportHasEverySectionAndEveryReferencedFileIsValid() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportFixture.experiment(at: root)
    let g = try Self.generate([root])
    let sections = g.page.all(named: "section").compactMap { $0.attributes["id"] }
    #expect(sections == ["summary", "masks", "differences", "bands", "reliability", "examples", "heatmaps", "passband",
                         "robustness", "corruptions", "training"])
    #expect(g.summary.sections == sections)
    #expect(g.summary.models == ["standard", "adversarial"] && g.summary.baseline == "standard")
    // No script, no network: nothing refers outside the report directory.
    #expect(g.page.all(named: "script").isEmpty)
    let refs = Self.references(g.page)
    #expect(refs.allSatisfy { !$0.contains("://") && !$0.hasPrefix("/") && !$0.contains("..") }, "\(refs)")
    var svgs = 0, pngs = 0
    for ref in Set(refs) {
      let path = g.directory + "/" + ref
      #expect(FileManager.default.fileExists(atPath: path), "missing \(ref)")
      switch (ref as NSString).pathExtension {
      case "png":
        let image = try PNGCodec.read(path)
        #expect(image.rank == 3 && image.shape[1] > 0 && image.shape[2] > 0)
        pngs += 1
      case "svg":
        let svg = try XMLNode.parse(file: path)
        #expect(svg.name == "svg" && svg.attributes["width"] != nil && svg.attributes["height"] != nil)
        svgs += 1
      case "json":
        _ = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
      case "csv":
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 2, "\(ref) has no rows")
      default:
        Issue.record("unexpected reference \(ref)")
      }
    }
    // Masks (2), difference (1), heat map (1, standard only) as SVG; their PNGs; examples; charts.
    #expect(svgs >= 2 + 1 + 1 + 4 + 1 + 2 + 1 + 1 + 3, "\(svgs) SVG figures")
    #expect(pngs == 2 + 1 + 1 + 1, "\(pngs) PNG files")
    // Every <img> has its intrinsic size, equal to the SVG's own (rounded up) or the PNG's (times its zoom).
    for img in g.page.all(named: "img") {
      let src = try #require(img.attributes["src"])
      let width = try #require(Int(img.attributes["width"] ?? "")), height = try #require(Int(img.attributes["height"] ?? ""))
      if src.hasSuffix(".svg") {
        let svg = try XMLNode.parse(file: g.directory + "/" + src)
        #expect(width == Int(Double(svg.attributes["width"]!)!.rounded(.up)) && height == Int(Double(svg.attributes["height"]!)!.rounded(.up)))
      } else {
        let image = try PNGCodec.read(g.directory + "/" + src)
        #expect(width % image.shape[2] == 0 && height % image.shape[1] == 0 && width / image.shape[2] == height / image.shape[1])
      }
    }
    // The page says what the figures are: model names in the mask section, the examples caption.
    let masks = try #require(g.page.first(id: "masks"))
    #expect(masks.all(named: "img").count == 2)
    #expect(g.page.first(id: "examples")?.textContent.contains("originals") == true)
    // The absent list is not there: everything exists for at least one model.
    #expect(g.page.first(id: "absent") == nil)
    // The heat-map section names the model without one.
    #expect(g.page.first(id: "heatmaps")?.textContent.contains("No heatmap probe for adversarial") == true)
    #expect(!FileManager.default.fileExists(atPath: g.directory + "/figures/heatmap-adversarial.svg"))
  }

  @Test func summaryTableNumbersEqualTheJSONFiles() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let fixture = try ReportFixture.experiment(at: root)
    let g = try Self.generate([root])
    let table = try #require(g.page.first(id: "summary-table"))
    let data = try Self.json(g.directory + "/data/summary.json")
    let rows = try #require(data["models"] as? [[String: Any]])
    #expect(rows.map { $0["model"] as? String } == ["standard", "adversarial"])
    func cell(_ model: String, _ key: String) throws -> XMLNode {
      try #require(table.all(named: "td").first { $0.attributes["data-model"] == model && $0.attributes["data-key"] == key },
                   "no cell \(key) for \(model)")
    }
    func value(_ node: XMLNode) throws -> Double { try #require(Double(node.attributes["data-value"] ?? "")) }
    for (model, row) in zip(["standard", "adversarial"], rows) {
      let summary = try Self.json(root + "/masks/\(model)/summary.json")
      for key in ["clean_accuracy", "masked_accuracy", "complementary_accuracy"] {
        let want = try #require(summary[key] as? Double)
        let c = try cell(model, key)
        #expect(try value(c) == want, "\(model) \(key)")
        #expect(row[key] as? Double == want)
        // The fixture's masks are positive everywhere: their complement is all zeros, so its
        // (invented) accuracy is kept in the data but not shown as a number.
        let degenerate = key == "complementary_accuracy"
        #expect(c.textContent == (degenerate ? "n/a" : String(format: "%.1f", want * 100)), "\(model) \(key)")
        if degenerate { #expect(row["complementary_degenerate"] as? Bool == true) }
      }
      let sparsity = try #require(summary["sparsity"] as? Double)
      #expect(try value(cell(model, "sparsity")) == sparsity && row["sparsity"] as? Double == sparsity)
      #expect(try value(cell(model, "epochs_run")) == Double(summary["epochs_run"] as! Int))
      let attack = try Self.json(root + "/probes/\(model)/attack-pgd-linf.json")
      let robust = try cell(model, "robust_accuracy")
      #expect(try value(robust) == attack["robust_accuracy"] as? Double)
      #expect(robust.attributes["data-attack"] == attack["attack"] as? String)
      #expect(try value(cell(model, "low_frequency_share")) == row["low_frequency_share"] as? Double)
    }
    // The architecture from models/standard/model.json; none is known for the other model.
    #expect(rows[0]["arch"] as? String == "smallcnn" && rows[1]["arch"] == nil)
    #expect(table.all(named: "td").contains { $0.textContent == "smallcnn" })
    // The low-frequency shares against a direct computation; the adversarial model has three seeds.
    let n = ReportFixture.size
    let standardShare = Self.lowFrequencyShare(fixture.standardMask, h: n, w: n, bands: 16)
    let adversarialShare = fixture.adversarialSeeds.map { Self.lowFrequencyShare($0, h: n, w: n, bands: 16) }.reduce(0, +) / 3
    #expect(abs(try value(cell("standard", "low_frequency_share")) - standardShare) < 1e-5)
    #expect(abs(try value(cell("adversarial", "low_frequency_share")) - adversarialShare) < 1e-5)
    #expect(try value(cell("adversarial", "samples")) == 3 && value(cell("standard", "samples")) == 1)
    // The headline: the adversarial mask sits at lower frequencies, beyond its mask seeds' spread (one network only).
    let difference = try cell("adversarial", "low_frequency_share_difference")
    #expect(abs(try value(difference) - (adversarialShare - standardShare)) < 1e-5)
    let lo = try #require(Double(difference.attributes["data-ci-low"] ?? "")), hi = try #require(Double(difference.attributes["data-ci-high"] ?? ""))
    let seedShares = fixture.adversarialSeeds.map { Self.lowFrequencyShare($0, h: n, w: n, bands: 16) - standardShare }
    // A bootstrap of three samples can only land between their smallest and largest value.
    #expect(lo > 0 && lo <= hi && lo >= seedShares.min()! - 1e-5 && hi <= seedShares.max()! + 1e-5, "\(lo)…\(hi) vs \(seedShares)")
    let ci = try #require(rows[1]["low_frequency_share_difference_ci"] as? [Double])
    #expect(ci == [lo, hi])
    // The robustness table carries the same numbers as the attack files.
    let robustness = try #require(g.page.first(id: "robustness-table"))
    let transfer = robustness.all(named: "td").first { $0.attributes["data-model"] == "adversarial" && $0.attributes["data-key"] == "masked_transfer_accuracy" }
    #expect(transfer?.attributes["data-value"].flatMap(Double.init) == 0.3)
  }

  @Test func bandDataHoldsProfilesAndDifferencesWithIntervals() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let fixture = try ReportFixture.experiment(at: root)
    let g = try Self.generate([root], radial: 4, angular: 4)
    let bands = try Self.json(g.directory + "/data/bands.json")
    let models = try #require(bands["models"] as? [[String: Any]])
    #expect(bands["radial_bands"] as? Int == 4 && bands["angular_sectors"] as? Int == 4)
    let standard = models[0], adversarial = models[1]
    // Radial energies of the standard mask against a direct computation (4 bands).
    let n = ReportFixture.size, maxRadius = (2.0 * 64).squareRoot()
    var sums = [Double](repeating: 0, count: 4), total = 0.0
    for r in 0..<n {
      for c in 0..<n {
        let fy = Double(ReportFixture.signedFrequency(r, n)), fx = Double(ReportFixture.signedFrequency(c, n))
        let b = min(3, Int(((fx * fx + fy * fy).squareRoot() / maxRadius * 4 + 1e-9).rounded(.down)))
        let e = Double(fixture.standardMask[r * n + c] * fixture.standardMask[r * n + c])
        sums[b] += e
        total += e
      }
    }
    let radial = try #require(standard["radial"] as? [Double])
    for b in 0..<4 { #expect(abs(radial[b] - (sums[b] / total).squareRoot()) < 1e-5) }
    #expect(standard["radial_difference"] == nil)
    #expect((adversarial["radial_ci"] as? [[Double]])?.count == 4)
    let diff = try #require(adversarial["radial_difference"] as? [Double])
    let advRadial = try #require(adversarial["radial"] as? [Double])
    for b in 0..<4 { #expect(abs(diff[b] - (advRadial[b] - radial[b])) < 1e-6) }
    let diffCI = try #require(adversarial["radial_difference_ci"] as? [[Double]])
    #expect(diffCI.count == 4 && diffCI.allSatisfy { $0.count == 2 && $0[0] <= $0[1] })
    // Adversarial: more energy in the lowest band, less in the highest, both beyond the interval.
    #expect(diffCI[0][0] > 0 && diffCI[3][1] < 0)
    // The difference chart has an error bar for each of the 8 bars (4 radial bands; 1 model).
    let chart = try XMLNode.parse(file: g.directory + "/figures/bands-radial-difference.svg")
    #expect(chart.all(named: "line").filter { $0.attributes["class"] == "error-bar" }.count == 4 * 3)
    #expect(chart.all(named: "rect").filter { $0.attributes["class"] == "bar" }.count == 4)
    // Both fixture masks depend on the radius alone: net of the grid their directions are
    // flat at 1 (the raw sector energies are not: the grid has more frequencies diagonally).
    for model in models {
      let normalized = try #require(model["angular_normalized"] as? [Double])
      #expect(normalized.count == 4 && normalized.allSatisfy { abs($0 - 1) < 1e-5 }, "\(normalized)")
      #expect(abs(try #require(model["anisotropy"] as? Double)) < 1e-5)
      let raw = try #require(model["angular"] as? [Double])
      #expect(raw.max()! - raw.min()! > 1e-3)
    }
    // The direction figures show the normalised profiles: one bar per model and sector, at 1.
    let angular = try XMLNode.parse(file: g.directory + "/figures/bands-angular.svg")
    #expect(angular.all(named: "title").contains { $0.textContent.contains("net of the grid") })
  }

  @Test func missingProbesOmitTheirFiguresAndThePageSaysSo() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // A single learn-mask directory with no probes at all.
    let dir = root + "/lowpass-mask"
    try ReportFixture.writeMask(dir, mask: ReportFixture.lowPassMask(), clean: 0.9, masked: 0.89, complementary: 0.2)
    let g = try Self.generate([dir])
    let sections = g.page.all(named: "section").compactMap { $0.attributes["id"] }
    #expect(sections == ["summary", "masks", "bands", "reliability", "training", "absent"])
    #expect(g.summary.models == ["lowpass-mask"])
    let absent = try #require(g.page.first(id: "absent")).textContent
    for what in ["Fourier heat maps", "Pass-band curves", "Robust accuracy", "Corruption curves", "examples.png", "accuracy probe"] {
      #expect(absent.contains(what), "absent list lacks \(what): \(absent)")
    }
    #expect(g.summary.absent.count == 6)
    let figures = try FileManager.default.contentsOfDirectory(atPath: g.directory + "/figures")
    #expect(!figures.contains { $0.hasPrefix("heatmap") || $0.hasPrefix("passband") || $0.hasPrefix("robust") || $0.hasPrefix("mask-diff") })
    // No attack column in the summary table.
    #expect(try #require(g.page.first(id: "summary-table")).all(named: "td").allSatisfy { $0.attributes["data-key"] != "robust_accuracy" })
  }

  @Test func aMaskDirectoryFindsItsProbesFolderAndNamesCollideSafely() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // Two learn-mask directories with the same folder name, one with probes; an awkward name too.
    let a = root + "/std/mask", b = root + "/adv/mask", odd = root + "/a<b&\"c\" model"
    try ReportFixture.writeMask(a, mask: ReportFixture.highPassMask(), clean: 0.8, masked: 0.79, complementary: 0.1)
    try ReportFixture.writeMask(b, mask: ReportFixture.lowPassMask(), clean: 0.6, masked: 0.59, complementary: 0.1)
    try ReportFixture.writeMask(odd, mask: ReportFixture.lowPassMask(sigma: 5), clean: 0.7, masked: 0.69, complementary: 0.1)
    try ReportFixture.writeProbes(b + "/probes", clean: 0.6, robust: 0.4, heatmap: true, corruption: false)
    let g = try Self.generate([a, b, odd], baseline: "adv/mask")
    #expect(g.summary.models == ["adv/mask", "std/mask", "a<b&\"c\" model"])
    #expect(g.summary.baseline == "adv/mask")
    #expect(g.page.first(id: "heatmaps") != nil)
    // File names are safe and distinct; the page shows the name as text.
    let figures = try FileManager.default.contentsOfDirectory(atPath: g.directory + "/figures").sorted()
    #expect(figures.contains("mask-adv-mask.svg") && figures.contains("mask-std-mask.svg") && figures.contains("mask-a-b--c--model.svg"))
    #expect(g.page.first(id: "summary-table")?.all(named: "tr").contains { $0.attributes["data-model"] == "a<b&\"c\" model" } == true)
  }

  @Test func baselineIsChosenByNameOrStandardAndDifferencesFlipSign() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportFixture.experiment(at: root)
    let byDefault = try Self.generate([root])
    let swapped = try Self.generate([root], baseline: "adversarial")
    #expect(swapped.summary.models == ["adversarial", "standard"])
    func difference(_ g: Generated, _ model: String) throws -> Double {
      let rows = try #require(try Self.json(g.directory + "/data/summary.json")["models"] as? [[String: Any]])
      return try #require(rows.first { $0["model"] as? String == model }?["low_frequency_share_difference"] as? Double)
    }
    #expect(abs(try difference(byDefault, "adversarial") + difference(swapped, "standard")) < 1e-6)
    #expect(throws: FourierLensError.badOption(name: "--baseline", reason: "no model named \"robust\" (the models are: adversarial, standard)")) {
      _ = try Self.generate([root], baseline: "robust")
    }
  }

  @Test func badInputIsAnErrorNamingTheFileAndWritesNothing() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let out = root + "/report"
    func failure(_ dirs: [String]) -> String {
      do {
        _ = try ReportGenerator.generate(runDirectories: dirs, to: out)
        return "no error"
      } catch {
        return "\(error)"
      }
    }
    // Neither kind of directory, and a missing one.
    let empty = root + "/empty"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
    #expect(failure([empty]).contains(empty) && failure([empty]).contains("neither"))
    #expect(failure([root + "/missing"]).contains(root + "/missing"))
    // A corrupt summary.json.
    let run = root + "/run"
    try ReportFixture.experiment(at: run)
    let summary = run + "/masks/standard/summary.json"
    let good = try Data(contentsOf: URL(fileURLWithPath: summary))
    try Data("{\"clean_accuracy\": 0.5".utf8).write(to: URL(fileURLWithPath: summary))
    #expect(failure([run]).contains(summary))
    try good.write(to: URL(fileURLWithPath: summary))
    // A corrupt probe output, and a heat map of the wrong shape.
    let attack = run + "/probes/adversarial/attack-pgd-linf.json"
    try Data("{\"attack\": \"x\"}".utf8).write(to: URL(fileURLWithPath: attack))
    let attackError = failure([run])
    #expect(attackError.contains(attack) && attackError.contains("missing key"), "\(attackError)")
    try FileManager.default.removeItem(atPath: attack)
    let npy = run + "/probes/standard/heatmap.error.npy"
    try NPY.write(Tensor(shape: [4], data: [0, 0, 0, 0]), to: npy)
    #expect(failure([run]).contains(npy))
    try NPY.write(Tensor(shape: [2, 2], data: [0, .nan, 0, 0]), to: npy)
    #expect(failure([run]).contains(npy))
    try FileManager.default.removeItem(atPath: npy)
    // Without the array, the JSON must hold the grid itself.
    #expect(failure([run]).contains(run + "/probes/standard/heatmap.json"))
    try FileManager.default.removeItem(atPath: run + "/probes/standard/heatmap.json")
    // A corrupt examples.png.
    let examples = run + "/masks/standard/examples.png"
    try Data("not a png".utf8).write(to: URL(fileURLWithPath: examples))
    #expect(failure([run]).contains(examples))
    // A mask whose size does not match its summary.
    try NPY.write(Tensor(shape: [3, 3], data: .init(repeating: 1, count: 9)), to: run + "/masks/adversarial/mask.npy")
    #expect(failure([run]).contains(run + "/masks/adversarial/mask.npy"))
    try ReportFixture.writeMask(run + "/masks/adversarial", mask: ReportFixture.lowPassMask(), clean: 0.6, masked: 0.59,
                                complementary: 0.1)
    // An unfinished mask directory (no summary.json yet).
    let unfinished = run + "/masks/unfinished"
    try FileManager.default.createDirectory(atPath: unfinished, withIntermediateDirectories: true)
    #expect(failure([run]).contains(unfinished) && failure([run]).contains("summary.json"))
    // Nothing was written by any of these.
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func rewritingAReportRemovesFiguresItNoLongerHas() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportFixture.experiment(at: root)
    let out = root + "/report"
    _ = try Self.generate([root], out: out)
    #expect(FileManager.default.fileExists(atPath: out + "/figures/mask-diff-adversarial.svg"))
    let g = try Self.generate([root + "/masks/standard"], out: out)
    #expect(!FileManager.default.fileExists(atPath: out + "/figures/mask-diff-adversarial.svg"))
    #expect(!FileManager.default.fileExists(atPath: out + "/figures/mask-adversarial.png"))
    for ref in Self.references(g.page) { #expect(FileManager.default.fileExists(atPath: out + "/" + ref), "\(ref)") }
    // Same inputs, same bytes.
    let first = try Data(contentsOf: URL(fileURLWithPath: out + "/index.html"))
    _ = try Self.generate([root + "/masks/standard"], out: out)
    #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/index.html")) == first)
  }

  @Test func dctAndClassMasksAreShownAsStoredAndAveraged() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    // Three class masks, 8×8 DCT, one coefficient each.
    var masks = [Float](repeating: 0, count: 3 * 64)
    masks[0] = 1; masks[64 + 1] = 1; masks[128 + 8] = 1
    try ReportFixture.writeMask(root + "/masks/dct", mask: masks, shape: [8, 8], maskCount: 3, transform: .dct,
                                clean: 0.5, masked: 0.5, complementary: 0.1)
    let g = try Self.generate([root])
    let csv = try String(contentsOfFile: g.directory + "/data/mask-dct.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv[0].hasPrefix("k_y\\k_x,0,1,"))
    // Mean of the three masks: 1/3 at (0,0), (0,1) and (1,0), DC in the top-left corner.
    let first = csv[1].split(separator: ",").map(String.init), second = csv[2].split(separator: ",").map(String.init)
    #expect(abs(Double(first[1])! - 1.0 / 3) < 1e-6 && abs(Double(first[2])! - 1.0 / 3) < 1e-6 && abs(Double(second[1])! - 1.0 / 3) < 1e-6)
    #expect(g.page.first(id: "masks")?.textContent.contains("mean of its 3 masks") == true)
    let summary = try Self.json(g.directory + "/data/summary.json")
    #expect((summary["models"] as? [[String: Any]])?.first?["samples"] as? Int == 3)
  }
}

extension ReportGenerationTests {
  @Test func heatMapFromJSONGridAndNumericSeverities() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let dir = root + "/mask"
    try ReportFixture.writeMask(dir, mask: ReportFixture.lowPassMask(), clean: 0.9, masked: 0.89, complementary: 0.2)
    let grid: [[Double]] = (0..<4).map { r in (0..<4).map { c in Double(r * 4 + c) / 20 } }
    try ReportFixture.writeJSON(["eps": 2, "through_mask": true, "error_rate": grid], to: dir + "/probes/heatmap.json")
    try ReportFixture.writeJSON(["corruption": "blur", "severities": [["severity": 1, "accuracy": 0.8], ["severity": 2.5, "accuracy": 0.6]]],
                                to: dir + "/probes/corruption-blur.json")
    let g = try Self.generate([dir])
    #expect(g.page.first(id: "heatmaps")?.textContent.contains("seen through its mask") == true)
    let csv = try String(contentsOfFile: g.directory + "/data/heatmap-mask.csv", encoding: .utf8).split(separator: "\n")
    #expect(csv.count == 5)
    // Row f_y = 2 (the top) is the first row of the grid; centred columns f_x = −2…1.
    #expect(csv[0] == "f_y\\f_x,-2,-1,0,1")
    #expect(csv[1].split(separator: ",").dropFirst().map { Double($0)! } == [0, 0.05, 0.1, 0.15])
    let corruption = try String(contentsOfFile: g.directory + "/data/corruption-blur-0.csv", encoding: .utf8)
    #expect(corruption.contains("mask,1,0.8,") && corruption.contains("mask,2.5,0.6,"))
    let chart = try XMLNode.parse(file: g.directory + "/figures/corruption-blur-0.svg")
    #expect(chart.all(named: "text").map(\.textContent).contains("2.5"))
  }

  /// A mask that is positive everywhere has an all-zero complement: its accuracy is not
  /// shown as a finding; a mask with zeros keeps its number; the probe's top-k curves are drawn.
  @Test func degenerateComplementsAreFlaggedAndTopKCurvesDrawn() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var sparse = ReportFixture.lowPassMask()
    for i in sparse.indices where sparse[i] < 0.05 { sparse[i] = 0 }
    #expect(sparse.filter { $0 == 0 }.count > 10)
    try ReportFixture.writeMask(root + "/masks/dense", mask: ReportFixture.lowPassMask(), clean: 0.9, masked: 0.89, complementary: 0.25)
    try ReportFixture.writeMask(root + "/masks/sparse", mask: sparse, clean: 0.9, masked: 0.88, complementary: 0.3)
    try FileManager.default.createDirectory(atPath: root + "/probes/dense", withIntermediateDirectories: true)
    try ReportFixture.writeJSON(["clean_accuracy": 0.9, "masked_accuracy": 0.89, "complementary_accuracy": 0.25,
                                 "complementary_degenerate": true, "count": 100, "top_k_percent": [1, 10, 100],
                                 "top_k_accuracy": [0.4, 0.8, 0.9], "all_but_top_k_accuracy": [0.7, 0.3, 0.25]],
                                to: root + "/probes/dense/accuracy.json")
    let g = try Self.generate([root])
    let table = try #require(g.page.first(id: "summary-table"))
    func text(_ model: String) -> String? {
      table.all(named: "td").first { $0.attributes["data-model"] == model && $0.attributes["data-key"] == "complementary_accuracy" }?.textContent
    }
    #expect(text("dense") == "n/a")
    #expect(text("sparse") == "30.0")
    let reliability = try #require(g.page.first(id: "reliability"))
    #expect(reliability.textContent.contains("The complement of the mask of dense keeps fewer than"))
    #expect(!reliability.textContent.contains("mask of dense and sparse"))
    // The bar charts leave the degenerate complements out: no 25.0 label anywhere.
    for figure in ["reliability", "reliability-probe"] {
      let svg = try XMLNode.parse(file: g.directory + "/figures/\(figure).svg")
      #expect(!svg.all(named: "text").map(\.textContent).contains("25.0"), "\(figure)")
    }
    let csv = try String(contentsOfFile: g.directory + "/data/reliability-top-k.csv", encoding: .utf8)
    #expect(csv == "model,top_k_percent,top_k_accuracy,all_but_top_k_accuracy\ndense,1,0.4,0.7\ndense,10,0.8,0.3\ndense,100,0.9,0.25\n")
    let chart = try XMLNode.parse(file: g.directory + "/figures/reliability-top-k.svg")
    #expect(chart.all(named: "text").map(\.textContent).contains("10"))
    #expect(chart.all(named: "path").count + chart.all(named: "polyline").count >= 2)
  }
}

extension ReportGenerationTests {
  /// The corruption section promises dashed "with the model's mask" lines only where a probe
  /// ran with a mask: none at all, or naming the models without one.
  @Test func corruptionTextPromisesDashedLinesOnlyWhereAProbeRanWithAMask() throws {
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let plain = root + "/plain", masked = root + "/masked"
    try ReportFixture.writeMask(plain, mask: ReportFixture.lowPassMask(), clean: 0.9, masked: 0.89, complementary: 0.2)
    try ReportFixture.writeMask(masked, mask: ReportFixture.highPassMask(), clean: 0.8, masked: 0.79, complementary: 0.2)
    try ReportFixture.writeJSON(["corruption": "noise", "severities": [["severity": "sigma=0.02", "accuracy": 0.8],
                                                                       ["severity": "sigma=0.05", "accuracy": 0.6]]],
                                to: plain + "/probes/corruption-noise.json")
    try ReportFixture.writeProbes(masked + "/probes", clean: 0.8, robust: 0.3, heatmap: false, corruption: true)
    let dashed = "stroke-dasharray=\"6 4\""

    let alone = try Self.generate([plain])
    let aloneText = try #require(alone.page.first(id: "corruptions")?.textContent)
    #expect(!aloneText.contains("(dashed)") && aloneText.contains("no dashed lines"), "\(aloneText)")
    let aloneChart = try String(contentsOfFile: alone.directory + "/figures/corruption-noise-0.svg", encoding: .utf8)
    #expect(!aloneChart.contains(dashed))

    let both = try Self.generate([plain, masked])
    let bothText = try #require(both.page.first(id: "corruptions")?.textContent)
    #expect(bothText.contains("with (dashed) the model’s mask") && bothText.contains("plain ran without a mask"), "\(bothText)")
    let bothChart = try String(contentsOfFile: both.directory + "/figures/corruption-noise-0.svg", encoding: .utf8)
    #expect(bothChart.contains(dashed))
  }
}
