/// The one line `flens` prints for an error, whatever the message holds.
///
/// Messages carry text from elsewhere: libtorch's exceptions, plugins' own messages, file
/// contents and option values a user typed. A `\r\n` there is one Swift Character, so
/// splitting at "\n" missed it, and a bare `\r` or an escape sequence moves the cursor back
/// over the line; the line printed is the first non-blank one at any line break, with
/// control characters (tabs, escapes, NULs) turned into spaces, and it always ends with
/// exactly one newline.
enum ErrorLine {
  static func format(_ message: String, prefix: String) -> String {
    let lines = message.split(whereSeparator: \.isNewline)
    let first = lines.first { !$0.allSatisfy(\.isWhitespace) } ?? ""
    var scalars = String.UnicodeScalarView()
    for s in first.unicodeScalars { scalars.append(s.properties.generalCategory == .control ? " " : s) }
    var text = String(scalars)
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return prefix + text + "\n"
  }
}
