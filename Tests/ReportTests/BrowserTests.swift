import Foundation
import Testing
@testable import FourierLens
@testable import FourierLensReport

/// The report in a real browser (headless Chromium).
///
/// The page has no script, so a browser cannot report on it by itself. Two independent
/// checks instead:
/// 1. Image loading: the test writes a copy of index.html next to it (same directory, so
///    the same relative figure paths) with one small script appended that, on the load
///    event, marks every `<img>` with whether it decoded (`complete && naturalWidth > 0`,
///    the browser's own notion of a broken image, for SVG and PNG alike) and its natural
///    size. `chromium --dump-dom` prints the DOM after loading, and the test reads the marks.
///    A control page with a missing file and a malformed SVG must come out broken, so the
///    check cannot pass vacuously.
/// 2. Rendering: `chromium --screenshot` of the real page (no script) must be a PNG of the
///    window's size with a non-blank page and the figures' colours in it (model colours
///    from the bar charts, saturated turbo colours from the masks).
///
/// Chromium is a declared dependency (scripts/install-deps.sh); when it is missing the
/// test fails with a message saying how to install it.
@Suite struct BrowserTests {
  static let checker = """
    <script>
    window.addEventListener("load", function () {
      var images = document.images, broken = [];
      for (var i = 0; i < images.length; i++) {
        var im = images[i];
        var ok = im.complete && im.naturalWidth > 0 && im.naturalHeight > 0;
        im.setAttribute("data-check", ok ? "loaded" : "broken");
        im.setAttribute("data-natural", im.naturalWidth + "x" + im.naturalHeight);
        if (!ok) { broken.push(im.getAttribute("src")); }
      }
      var r = document.createElement("div");
      r.id = "browser-check";
      r.setAttribute("data-images", String(images.length));
      r.setAttribute("data-broken", broken.join(" "));
      document.body.appendChild(r);
    });
    </script>
    """

  /// The `<img>` tags of a dumped DOM with their attributes.
  static func images(_ dom: String) throws -> [[String: String]] {
    let tag = try Regex(#"<img\b[^>]*>"#), attribute = try Regex(#"([a-zA-Z-]+)="([^"]*)""#)
    return dom.matches(of: tag).map { m in
      let text = String(dom[m.range])
      var out: [String: String] = [:]
      for a in text.matches(of: attribute) {
        out[String(a.output[1].substring ?? "")] = String(a.output[2].substring ?? "")
      }
      return out
    }
  }

  /// Runs the checker on `page` (a file in `directory`) and returns the dumped DOM.
  static func checkedDOM(of page: String, in directory: String) throws -> String {
    let html = try String(contentsOfFile: directory + "/" + page, encoding: .utf8)
    let check = directory + "/browser-check-" + page
    try html.replacingOccurrences(of: "</body>", with: checker + "\n</body>").write(toFile: check, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: check) }
    return try Chromium.run(url: URL(fileURLWithPath: check).absoluteString,
                            arguments: ["--virtual-time-budget=5000", "--dump-dom"])
  }

  @Test func reportRendersInHeadlessChromiumWithEveryImageLoaded() throws {
    _ = try Chromium.executable()
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportFixture.experiment(at: root + "/run")
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/run"], to: out)

    // 1. Every image loads, at the size the page declares.
    let dom = try Self.checkedDOM(of: "index.html", in: out)
    #expect(dom.contains("id=\"browser-check\""), "the load handler did not run; DOM: \(dom.prefix(500))")
    let images = try Self.images(dom)
    #expect(images.count >= 10)
    for img in images {
      let src = img["src"] ?? "?"
      #expect(img["data-check"] == "loaded", "\(src) did not load in Chromium")
      let natural = (img["data-natural"] ?? "").split(separator: "x").compactMap { Int($0) }
      let declared = [Int(img["width"] ?? ""), Int(img["height"] ?? "")].compactMap { $0 }
      #expect(natural.count == 2 && declared.count == 2, "\(src)")
      if src.hasSuffix(".svg") {
        #expect(natural == declared, "\(src): natural \(natural), declared \(declared)")
      } else if natural.count == 2 && declared.count == 2 {
        #expect(declared[0] * natural[1] == declared[1] * natural[0], "\(src): aspect ratio changed")
      }
    }
    // The browser sees the sections the report promises.
    let sectionIDs = dom.matches(of: try Regex(#"<section id="([^"]+)""#)).map { String($0.output[1].substring ?? "") }
    #expect(sectionIDs == ["summary", "masks", "differences", "bands", "reliability", "examples", "heatmaps", "passband",
                           "robustness", "corruptions", "training"])
    #expect(dom.contains("id=\"summary-table\""))

    // The check itself detects broken images: a missing PNG and a malformed SVG.
    try Data("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect".utf8)
      .write(to: URL(fileURLWithPath: out + "/figures/control-broken.svg"))
    try "<!DOCTYPE html><html><body><img src=\"figures/missing.png\" width=\"5\" height=\"5\" alt=\"\"/><img src=\"figures/control-broken.svg\" width=\"10\" height=\"10\" alt=\"\"/><img src=\"\(images[0]["src"]!)\" alt=\"\"/></body></html>"
      .write(toFile: out + "/control.html", atomically: true, encoding: .utf8)
    let control = try Self.images(Self.checkedDOM(of: "control.html", in: out))
    #expect(control.map { $0["data-check"] } == ["broken", "broken", "loaded"], "\(control)")

    // 2. A screenshot of the real page: the window's size, not blank, the figures drawn.
    let shot = root + "/screenshot.png"
    _ = try Chromium.run(url: URL(fileURLWithPath: out + "/index.html").absoluteString,
                         arguments: ["--screenshot=" + shot, "--window-size=1280,4000"])
    let image = try PNGCodec.read(shot)
    #expect(image.shape == [3, 4000, 1280])
    let plane = 4000 * 1280
    var background = 0, modelBlue = 0, saturated = 0
    var colours = Set<Int>()
    image.data.withUnsafeBufferPointer { p in
      for i in 0..<plane {
        let r = Int((p[i] * 255).rounded()), g = Int((p[plane + i] * 255).rounded()), b = Int((p[2 * plane + i] * 255).rounded())
        if (r >= 236 && g >= 236 && b >= 232) { background += 1 }
        // Tableau blue #4e79a7, the first model's colour (bars, legends, swatches).
        if abs(r - 0x4e) <= 6 && abs(g - 0x79) <= 6 && abs(b - 0xa7) <= 6 { modelBlue += 1 }
        if max(r, g, b) - min(r, g, b) > 150 { saturated += 1 }
        colours.insert((r >> 3) << 10 | (g >> 3) << 5 | (b >> 3))
      }
    }
    #expect(Double(background) / Double(plane) < 0.93, "the page looks blank: \(background) of \(plane) pixels are background")
    #expect(modelBlue > 3000, "few pixels of the first model's colour (\(modelBlue)): are the charts drawn?")
    #expect(saturated > 20000, "few saturated pixels (\(saturated)): are the mask maps drawn?")
    #expect(colours.count > 300, "only \(colours.count) distinct colours on the page")
  }

  /// A report at matched retention with the λ path: its figures load in Chromium at their declared size.
  @Test func lambdaPathFiguresLoadInHeadlessChromium() throws {
    _ = try Chromium.executable()
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    try ReportLambdaPathTests.writeRun(root + "/run/masks/standard")
    try ReportLambdaPathTests.writeRun(root + "/run/masks/robust", unconvergedChoice: true)
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/run"], options: ReportOptions(retention: 0.95), to: out)
    let images = try Self.images(Self.checkedDOM(of: "index.html", in: out))
    let path = images.filter { ($0["src"] ?? "").hasPrefix("figures/lambda-path-") }
    #expect(path.count == 2)
    for img in path {
      #expect(img["data-check"] == "loaded", "\(img["src"] ?? "?") did not load in Chromium")
      #expect(img["data-natural"] == "\(img["width"] ?? "")x\(img["height"] ?? "")")
    }
  }
}

extension BrowserTests {
  /// A long model name must not push the summary table's last columns out of sight: the name
  /// wraps and the table fits the page at 1280 pixels (a screenshot shows every column).
  @Test func aLongModelNameWrapsInsteadOfClippingTheSummaryTable() throws {
    _ = try Chromium.executable()
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    let long = "resnet18-adversarially-trained-pgd-linf-eps-0.031-alpha-0.0078-steps-10-seed-3-run-2026-12-07-17h42-final"
    let a = root + "/" + long, b = root + "/standard"
    try ReportFixture.writeMask(a, mask: ReportFixture.lowPassMask(), clean: 0.6, masked: 0.59, complementary: 0.1)
    try ReportFixture.writeMask(b, mask: ReportFixture.highPassMask(), clean: 0.8, masked: 0.79, complementary: 0.1)
    try ReportFixture.writeProbes(a + "/probes", clean: 0.6, robust: 0.4, heatmap: false, corruption: false)
    try ReportFixture.writeProbes(b + "/probes", clean: 0.8, robust: 0.1, heatmap: false, corruption: false)
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [a, b], to: out)

    // The table's scrolling wrapper, measured by the browser at the window's width.
    let page = out + "/index.html", measured = out + "/measured.html"
    let probe = """
      <script>
      window.addEventListener("load", function () {
        var table = document.getElementById("summary-table"), wrap = table.parentElement;
        var r = document.createElement("div");
        r.id = "table-check";
        r.setAttribute("data-scroll", String(wrap.scrollWidth));
        r.setAttribute("data-client", String(wrap.clientWidth));
        document.body.appendChild(r);
      });
      </script>
      """
    try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "</body>", with: probe + "\n</body>")
      .write(toFile: measured, atomically: true, encoding: .utf8)
    let dom = try Chromium.run(url: URL(fileURLWithPath: measured).absoluteString,
                               arguments: ["--virtual-time-budget=5000", "--window-size=1280,2000", "--dump-dom"])
    let check = try #require(dom.firstMatch(of: try Regex(#"id="table-check" data-scroll="(\d+)" data-client="(\d+)""#)),
                             "the measuring script did not run")
    let scroll = Int(check.output[1].substring ?? "") ?? -1, client = Int(check.output[2].substring ?? "") ?? -1
    #expect(client > 0 && scroll <= client, "the summary table is \(scroll) px wide in a \(client) px box: its last columns are cut off")
    #expect(dom.contains(long), "the whole name is still on the page")
  }

  /// Several networks per model: the page loads every figure and the browser shows captions
  /// that say the intervals cover the networks and their mask seeds.
  @Test func networkReportShowsWhatItsIntervalsCover() throws {
    _ = try Chromium.executable()
    let root = try ReportFixture.temporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    _ = try NetworkConditionReportTests.writeConditions(root + "/run")
    let out = root + "/report"
    _ = try ReportGenerator.generate(runDirectories: [root + "/run"], to: out)
    let dom = try Self.checkedDOM(of: "index.html", in: out)
    let images = try Self.images(dom)
    #expect(!images.isEmpty && images.allSatisfy { $0["data-check"] == "loaded" }, "\(images.filter { $0["data-check"] != "loaded" })")
    let captions = dom.matches(of: try Regex(#"<figcaption>(.*?)</figcaption>"#)).map { String($0.output[1].substring ?? "") }
    let withIntervals = captions.filter { $0.contains("Error bars") }
    #expect(withIntervals.count >= 2 && withIntervals.allSatisfy { $0.contains("over the trained networks of each model") })
    #expect(!dom.contains("sampling noise") && !dom.contains("Each model here is one trained network"))
  }
}
