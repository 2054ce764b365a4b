/// Escaping for text and attribute values in HTML and SVG (XML): model names, file paths
/// and probe labels come from the user's files, so nothing reaches the markup unescaped.
public enum Markup {
  /// Escapes `&`, `<`, `>`, `"` and `'`; safe inside element text and quoted attributes.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      // Control characters other than tab/newline are not allowed in XML 1.0.
      case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": out += "\u{FFFD}"
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}
