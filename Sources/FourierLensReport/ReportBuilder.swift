import Foundation
import FourierLens

/// Builds one report in memory: the sections of the page, and every figure and data file
/// they refer to. Each section is made by its own extension (ReportBuilder+*.swift).
struct ReportBuilder {
  let entries: [ReportEntry]
  let baseline: Int
  let bands: BandComparison
  /// File-name-safe, unique name of each entry.
  let slugs: [String]
  var files = ReportFiles()
  /// Data files in the order they were made (for the page's footer).
  var dataFiles: [String] = []
  /// What the page could not show, one HTML line each.
  var absent: [String] = []

  init(entries: [ReportEntry], baseline: Int, settings: BandSettings) throws {
    self.entries = entries
    self.baseline = baseline
    bands = try BandComparison(entries: entries, baseline: baseline, settings: settings)
    slugs = Self.slugs(entries.map(\.name))
  }

  var baselineEntry: ReportEntry { entries[baseline] }

  /// The colour of entry i, the same in every figure.
  func color(_ i: Int) -> String { ChartStyle.color(forIndex: i) }

  /// An entry's name with its colour swatch, for tables and captions (HTML).
  func swatchName(_ i: Int) -> String {
    "<span class=\"swatch\" style=\"background:\(color(i))\"></span>\(Markup.escape(entries[i].name))"
  }

  /// Names of entries as an English list, escaped ("a, b and c").
  func nameList(_ indices: [Int]) -> String {
    let names = indices.map { "<em>\(Markup.escape(entries[$0].name))</em>" }
    guard names.count > 1 else { return names.first ?? "" }
    return names.dropLast().joined(separator: ", ") + " and " + names.last!
  }

  /// File-name-safe unique names: characters other than letters, digits, '.', '_' and '-'
  /// become '-'; repeats get "-2", "-3", ….
  static func slugs(_ names: [String]) -> [String] {
    var used = Set<String>()
    return names.map { name in
      var slug = String(name.unicodeScalars.map { s -> Character in
        (s.isASCII && (CharacterSet.alphanumerics.contains(s) || s == "." || s == "_" || s == "-")) ? Character(s) : "-"
      })
      while slug.hasPrefix(".") || slug.hasPrefix("-") { slug.removeFirst() }
      if slug.isEmpty { slug = "model" }
      var candidate = slug, k = 2
      while used.contains(candidate.lowercased()) {
        candidate = "\(slug)-\(k)"
        k += 1
      }
      used.insert(candidate.lowercased())
      return candidate
    }
  }

  // MARK: - Adding files

  /// Adds an SVG figure and returns the page figure that shows it.
  mutating func addSVG(_ name: String, _ figure: SVGFigure, alt: String, caption: String,
                       data: [String] = [], wide: Bool = false) -> PageFigure {
    let path = "figures/\(name).svg"
    files.add(path, text: figure.text)
    return PageFigure(file: path, width: Int(figure.width.rounded(.up)), height: Int(figure.height.rounded(.up)), alt: alt,
                      caption: caption, links: data.map { (Self.linkLabel($0), $0) }, wide: wide)
  }

  /// Adds a PNG file (already encoded) and returns its path.
  mutating func addPNG(_ name: String, _ png: Data) -> String {
    let path = "figures/\(name).png"
    files.add(path, png)
    return path
  }

  /// Adds a CSV data file and returns its path.
  mutating func addCSV(_ name: String, _ table: CSVTable) -> String {
    let path = "data/\(name).csv"
    files.add(path, text: table.text)
    dataFiles.append(path)
    return path
  }

  /// Adds a JSON data file and returns its path.
  mutating func addJSON<T: Encodable>(_ name: String, _ value: T) throws -> String {
    let path = "data/\(name).json"
    try files.addJSON(path, value)
    dataFiles.append(path)
    return path
  }

  /// "CSV" / "JSON" / "PNG" for a link to a file.
  static func linkLabel(_ path: String) -> String {
    let ext = (path as NSString).pathExtension.uppercased()
    return path.hasPrefix("data/") ? "data " + ext : ext
  }

  /// A 2-D array as CSV: one row per line, no header beyond column indices.
  static func gridTable(_ values: [Float], rows: Int, columns: Int, rowLabels: [String], columnLabels: [String],
                        corner: String) -> CSVTable {
    var table = CSVTable(header: [corner] + columnLabels)
    for r in 0..<rows {
      table.append([rowLabels[r]] + (0..<columns).map { NumberFormat.exact(values[r * columns + $0]) })
    }
    return table
  }

  // MARK: - The whole page

  mutating func build(inputs: [String]) throws -> (page: String, sections: [PageSection]) {
    var sections: [PageSection] = []
    sections.append(try summarySection())
    sections.append(try maskSection())
    if entries.count > 1 { sections.append(try differenceSection()) }
    sections.append(try bandSection())
    sections.append(try reliabilitySection())
    if let s = try examplesSection() { sections.append(s) }
    if let s = try heatmapSection() { sections.append(s) }
    if let s = try passbandSection() { sections.append(s) }
    if let s = try gradientSpectrumSection() { sections.append(s) }
    if let s = try marginSection() { sections.append(s) }
    if let s = try anisotropySection() { sections.append(s) }
    if let s = try ablationSection() { sections.append(s) }
    if let s = try alignmentSection() { sections.append(s) }
    if let s = embeddingSection() { sections.append(s) }
    if let s = try robustnessSection() { sections.append(s) }
    if let s = try corruptionSection() { sections.append(s) }
    if let s = LambdaPathSection.make(entries, files: &files) {
      sections.append(s)
      dataFiles.append(LambdaPathSection.dataFile)
    }
    sections.append(try trainingSection())
    if !absent.isEmpty {
      var s = PageSection(id: "absent", title: "Not in this report")
      s.add(html: "<div class=\"absent note\"><ul>\n" + absent.map { "<li>\($0)</li>" }.joined(separator: "\n") + "\n</ul></div>")
      sections.append(s)
    }
    let s = bands.settings
    let subtitle = "\(entries.count) model\(entries.count == 1 ? "" : "s"): " + (0..<entries.count).map(swatchName).joined(separator: " &#160;")
      + " &#160;·&#160; baseline: <strong>\(Markup.escape(baselineEntry.name))</strong>"
      + " &#160;·&#160; \(s.radial) radial bands, \(s.angular) angular sectors"
    let page = ReportPage(subtitle: subtitle, inputs: inputs, sections: sections, dataFiles: dataFiles)
    return (page.html(), sections)
  }
}
