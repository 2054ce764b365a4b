/// The known name a user most likely meant: for "did you mean ...?" in every message that
/// refuses an unknown name (experiment keys, probe kinds and their options).
public enum NearestName {
  /// The name in `names` within edit distance 2 of `name` (the closest; nil when none is that close).
  public static func of(_ name: String, in names: [String]) -> String? {
    names.map { ($0, editDistance(name, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
  }

  /// Levenshtein distance (insertions, deletions and substitutions of one character each).
  public static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var row = Array(0...b.count)  // distances from a[..<i] to every prefix of b
    for i in 1...a.count {
      var diagonal = row[0]
      row[0] = i
      for j in 1...b.count {
        let above = row[j]
        row[j] = min(above + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
        diagonal = above
      }
    }
    return row[b.count]
  }
}
