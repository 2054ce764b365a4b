import Foundation

/// Turns probe specs as users write them (`bands:radial=16`, `attack:pgd-linf:eps=0.03`)
/// into probes, through the kinds of `ProbeKind.all`: the kind's declaration checks the
/// options (with the nearest name for a misspelt one) and the host's capabilities before any
/// work, and makes the probe.
public enum ProbeFactory {
  public static var names: [String] { ProbeKind.all.map(\.name) }

  /// The probes of one run, each with the file stem it writes under (see `ProbeOutputNames`);
  /// the same probe given twice is an error.
  public static func makeAll(_ texts: [String], host: ProbeHost) throws -> [PlannedProbe] {
    try ProbeOutputNames.assign(texts.map { try make($0, host: host) }, writtenAs: texts)
  }

  /// The probe a spec asks for, and its kind.
  public static func make(_ text: String, host: ProbeHost) throws -> (kind: ProbeKind, probe: Probe) {
    let arguments = try parse(text)
    if let refusal = host.refusal(of: arguments.kind.needs) {
      throw FourierLensError.badOption(name: arguments.option, reason: refusal)
    }
    return (arguments.kind, try arguments.kind.make(arguments, host))
  }

  /// A spec's kind and checked arguments.
  public static func parse(_ text: String) throws -> ProbeArguments {
    let (name, rest) = split(text)
    guard let kind = ProbeKind.named(name) else {
      let hint = NearestName.of(name, in: names).map { "did you mean '\($0)'? " } ?? ""
      throw FourierLensError.badOption(name: "--probe \(text)", reason: "unknown probe '\(name)'; \(hint)probes: \(names.joined(separator: ", "))")
    }
    return try ProbeArguments(spec: text, kind: kind, rest: rest)
  }

  /// Whether `text` is an `alignment` probe without `adversarial=DIR`: in an experiment with
  /// `adversarial_maps:` it compares each model's mask with that model's own map.
  public static func isOwnMapAlignment(_ text: String) -> Bool {
    let (name, rest) = split(text)
    guard name == MaskAlignmentProbe.kind.name else { return false }
    let given = rest.isEmpty ? [] : ((try? PluginSpec.parse("probe:" + rest, option: text))?.options ?? [])
    return !given.contains { $0.key == "adversarial" }
  }

  /// Checks the options of an own-map `alignment` probe (see `isOwnMapAlignment`) before its map exists.
  public static func checkOwnMapAlignment(_ text: String) throws {
    let a = try parse(alignment(text, withMapIn: "DIR"))
    try MaskAlignmentProbe.checkSettings(radialBands: a.int("radial")!, resamples: a.int("resamples")!)
  }

  /// An own-map `alignment` probe with `adversarial=directory` added.
  public static func alignment(_ text: String, withMapIn directory: String) -> String {
    let (_, rest) = split(text)
    return "alignment:adversarial=\(directory)" + (rest.isEmpty ? "" : "," + rest)
  }

  /// A probe spec's name and the options after its first colon.
  static func split(_ text: String) -> (name: String, rest: String) {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    guard let colon = trimmed.firstIndex(of: ":") else { return (trimmed, "") }
    return (String(trimmed[..<colon]), String(trimmed[trimmed.index(after: colon)...]))
  }

  /// Writes a probe's files, `NAME.json`, `NAME.csv` and `NAME.<key>.npy`, into `dir`;
  /// `images` (the images it measured on) is recorded in its JSON as `image_range: {split,
  /// offset, count}`, so every number can be traced to its images.
  public static func write(_ output: ProbeOutput, name: String, images: ImageRange? = nil, to dir: String) throws {
    for (key, array) in output.arrays { try NPY.write(array, to: "\(dir)/\(name).\(key).npy") }
    try output.table.write(to: "\(dir)/\(name).csv")
    try AtomicFile.write(output.recordingImages(images).json.encoded(), to: "\(dir)/\(name).json")
  }

  /// One spec per combination of the `a|b|c` values (in order; one sweep at most per option).
  static func expandSweeps(_ spec: PluginSpec) throws -> [PluginSpec] {
    var specs = [PluginSpec(name: spec.name)]
    for (key, value) in spec.options {
      let values = value.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      specs = specs.flatMap { s in values.map { v in var t = s; t.options.append((key, v)); return t } }
    }
    return specs
  }

  /// `flens probe --help`'s list of probes, from the declarations: each kind's signature and
  /// summary, wrapped to `width` columns.
  public static func helpTable(width: Int = 76) -> String {
    ProbeKind.all.map { kind in
      let indent = String(repeating: " ", count: 4)
      var lines = ["  " + kind.signature]
      var line = indent
      for word in kind.summary.split(separator: " ") {
        if line.count + word.count + 1 > width, line != indent {
          lines.append(line)
          line = indent
        }
        line += (line == indent ? "" : " ") + word
      }
      lines.append(line)
      return lines.joined(separator: "\n")
    }.joined(separator: "\n")
  }
}
