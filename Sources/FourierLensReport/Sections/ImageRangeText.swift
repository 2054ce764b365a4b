import FourierLens

/// How the page names the images behind a number: `test[0..<2000]`, one range for every
/// model when they agree, else each range followed by the models it belongs to.
enum ImageRangeText {
  /// `<code>test[0..<2000]</code>`, or "not recorded" (older runs).
  static func html(_ range: ImageRange?) -> String {
    range.map { "<code>\(Markup.escape($0.description))</code>" } ?? "not recorded"
  }

  /// One range when all models share it; otherwise "test[0..<2000] (<em>a</em>), … (<em>b</em>)".
  static func html(byModel items: [(model: String, range: ImageRange?)]) -> String {
    var groups: [(range: ImageRange?, models: [String])] = []
    for item in items {
      if let k = groups.firstIndex(where: { $0.range == item.range }) {
        groups[k].models.append(item.model)
      } else {
        groups.append((item.range, [item.model]))
      }
    }
    guard groups.count > 1 else { return html(groups.first?.range) }
    return groups.map { g in
      html(g.range) + " (" + g.models.map { "<em>\(Markup.escape($0))</em>" }.joined(separator: ", ") + ")"
    }.joined(separator: "; ")
  }
}
