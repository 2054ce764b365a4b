/// A figure on the report page: an image file (SVG or PNG, relative to the page) with its
/// intrinsic size, a caption, and links to the numbers behind it and other formats.
struct PageFigure {
  var file: String
  var width: Int
  var height: Int
  var alt: String
  /// HTML (callers escape user text with `Markup.escape`).
  var caption: String
  var links: [(label: String, file: String)] = []
  /// Span the whole width of the page instead of one grid cell.
  var wide = false
}

/// A section of the report page; its blocks appear in order.
struct PageSection {
  enum Block {
    case figures([PageFigure])
    /// Trusted HTML built by the report (user text already escaped).
    case html(String)
  }

  var id: String
  var title: String
  var blocks: [Block] = []

  init(id: String, title: String) {
    self.id = id
    self.title = title
  }

  mutating func add(_ figures: [PageFigure]) { if !figures.isEmpty { blocks.append(.figures(figures)) } }
  mutating func add(html: String) { blocks.append(.html(html)) }
  mutating func note(_ html: String) { blocks.append(.html("<p class=\"note\">\(html)</p>")) }
  mutating func paragraph(_ html: String) { blocks.append(.html("<p>\(html)</p>")) }
}
