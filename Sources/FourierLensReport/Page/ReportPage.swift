/// Assembles `index.html`: a header, a table of contents, the sections with numbered
/// figures, and a footer listing the data files. Plain HTML with inline CSS and no script,
/// fonts or anything else from the network, so the page works offline and in print.
/// The markup is also well-formed XML (void elements closed, numeric entities only), so
/// tools and tests can read it with an XML parser.
struct ReportPage {
  var title = "FourierLens report"
  /// HTML lines under the title (escaped by the caller).
  var subtitle: String
  var inputs: [String]
  var sections: [PageSection]
  var dataFiles: [String]

  func html() -> String {
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8"/>
      <meta name="viewport" content="width=device-width, initial-scale=1"/>
      <meta name="generator" content="flens report"/>
      <title>\(Markup.escape(title))</title>
      <style>
      \(ReportStylesheet.css)
      </style>
      </head>
      <body>
      <main>
      <header>
      <h1>\(Markup.escape(title))</h1>
      <p class="subtitle">\(subtitle)</p>
      <p class="inputs">Inputs: \(inputs.map { "<code>\(Markup.escape($0))</code>" }.joined(separator: ", "))</p>
      </header>

      """
    out += "<nav class=\"toc\"><ol>\n"
    for s in sections { out += "<li><a href=\"#\(Markup.escape(s.id))\">\(Markup.escape(s.title))</a></li>\n" }
    out += "</ol></nav>\n"
    var figureNumber = 0
    for s in sections {
      out += "\n<section id=\"\(Markup.escape(s.id))\">\n<h2>\(Markup.escape(s.title))</h2>\n"
      for block in s.blocks {
        switch block {
        case let .html(h):
          out += h + "\n"
        case let .figures(figures):
          let maps = figures.allSatisfy { $0.file.contains("/mask-") || $0.file.contains("/heatmap-") }
          out += "<div class=\"figures\(maps ? " maps" : "")\">\n"
          for f in figures {
            figureNumber += 1
            out += figureHTML(f, number: figureNumber)
          }
          out += "</div>\n"
        }
      }
      out += "</section>\n"
    }
    out += "\n<footer>\n<p class=\"data-links\">The numbers behind the figures and tables: "
    out += dataFiles.map { "<a href=\"\(Markup.escape($0))\">\(Markup.escape($0))</a>" }.joined(separator: ", ")
    out += ".</p>\n<p>Made by <code>flens report</code> (FourierLens). Figures are SVG (charts) and PNG (maps), "
    out += "each next to this page in <code>figures/</code>.</p>\n</footer>\n</main>\n</body>\n</html>\n"
    return out
  }

  func figureHTML(_ f: PageFigure, number: Int) -> String {
    var classes: [String] = []
    if f.wide { classes.append("wide") }
    if f.file.hasSuffix(".png") { classes.append("raster") }
    var out = "<figure id=\"fig-\(number)\"\(classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\"")>\n"
    out += "<img src=\"\(Markup.escape(f.file))\" width=\"\(f.width)\" height=\"\(f.height)\" alt=\"\(Markup.escape(f.alt))\"/>\n"
    out += "<figcaption><span class=\"label\">Figure \(number).</span> \(f.caption)"
    if !f.links.isEmpty {
      out += " <span class=\"links\">["
      out += f.links.map { "<a href=\"\(Markup.escape($0.file))\">\(Markup.escape($0.label))</a>" }.joined(separator: " · ")
      out += "]</span>"
    }
    out += "</figcaption>\n</figure>\n"
    return out
  }
}
