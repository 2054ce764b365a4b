import Foundation
import FourierLens

/// What a report needs besides its inputs.
public struct ReportOptions: Sendable {
  /// The entry differences are taken against (default: `standard` if present, else the first).
  public var baseline: String?
  public var bands: BandSettings
  /// Report the masks of `flens learn-mask --retention` at this R (`retention-<R>/`).
  public var retention: Float?

  public init(baseline: String? = nil, bands: BandSettings = BandSettings(), retention: Float? = nil) {
    self.baseline = baseline
    self.bands = bands
    self.retention = retention
  }
}

/// What was written, for `flens report --json` and for callers such as `flens run`.
public struct ReportSummary: Codable, Equatable, Sendable {
  /// Path of the page.
  public var index: String
  public var models: [String]
  public var baseline: String
  /// Section ids on the page, in order.
  public var sections: [String]
  /// Figure and data files, relative to the report directory.
  public var figures: [String]
  public var data: [String]
  /// What the page could not show (plain text).
  public var absent: [String]
}

/// `flens report`: a self-contained HTML page comparing the masks (and probes) of
/// several models, with SVG/PNG figures and the data behind them.
///
/// Layout of the output directory:
///
///     OUT/index.html        the page (inline CSS, no script, nothing from the network)
///     OUT/figures/*.svg     charts and frequency maps (maps embed their pixels as PNG)
///     OUT/figures/*.png     heat maps with colour bars, examples
///     OUT/data/*.json|csv   the numbers behind every figure and table
///
/// Everything is made in memory first, so bad input leaves the output untouched; then the
/// files are written atomically, `index.html` last.
public enum ReportGenerator {
  /// Reads the run directories (see `ReportInputs` for their layout) and writes the report.
  public static func generate(runDirectories: [String], options: ReportOptions = ReportOptions(),
                              to directory: String) throws -> ReportSummary {
    let entries = try ReportInputs.read(runDirectories, retention: options.retention)
    return try generate(entries: entries, inputs: runDirectories, options: options, to: directory)
  }

  /// Writes the report of entries already read.
  public static func generate(entries: [ReportEntry], inputs: [String], options: ReportOptions,
                              to directory: String) throws -> ReportSummary {
    let (files, summary) = try build(entries: entries, inputs: inputs, options: options, directory: directory)
    try files.write(to: directory)
    return summary
  }

  /// Makes every file of the report in memory without writing anything.
  public static func build(entries: [ReportEntry], inputs: [String], options: ReportOptions,
                           directory: String) throws -> (ReportFiles, ReportSummary) {
    guard !entries.isEmpty else { throw FourierLensError.badOption(name: "RUN_DIR", reason: "no models to report on") }
    let chosen = try ReportInputs.baselineIndex(entries, requested: options.baseline)
    // The baseline comes first (first row, first colour); the others keep their order.
    let entries = [entries[chosen]] + entries.enumerated().filter { $0.offset != chosen }.map(\.element)
    let baseline = 0
    var builder = try ReportBuilder(entries: entries, baseline: baseline, settings: options.bands)
    let (page, sections) = try builder.build(inputs: inputs)
    builder.files.add("index.html", text: page)
    let paths = builder.files.files.map(\.path)
    let summary = ReportSummary(
      index: directory + "/index.html", models: entries.map(\.name), baseline: entries[baseline].name,
      sections: sections.map(\.id), figures: paths.filter { $0.hasPrefix("figures/") },
      data: paths.filter { $0.hasPrefix("data/") }, absent: builder.absent.map(Self.plainText))
    return (builder.files, summary)
  }

  /// HTML without tags and with the few entities the page uses decoded.
  static func plainText(_ html: String) -> String {
    var out = "", inTag = false
    for ch in html {
      if ch == "<" { inTag = true } else if ch == ">" { inTag = false } else if !inTag { out.append(ch) }
    }
    return out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
      .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&amp;", with: "&")
  }
}
