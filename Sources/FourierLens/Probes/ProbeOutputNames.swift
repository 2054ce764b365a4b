/// The file stems of the probes of one run, so that no probe overwrites another.
///
/// A probe writes under its own name (`attack-pgd-linf`, `heatmap`, ...) as long as no other
/// probe of the run has that name: single probes keep the names scripts and the report
/// know. When several share it (`attack:pgd-linf:eps=1` and `attack:pgd-linf:eps=2`), each
/// one with options gets them appended, `attack-pgd-linf_eps=1`; one without options keeps
/// the plain name. The same probe twice is refused, since it would only overwrite itself.
public enum ProbeOutputNames {
  /// The kind whose probe wrote the files under `stem`: its name (`heatmap`), followed by
  /// `-PLUGIN` for a kind that takes a plugin (`attack-pgd-linf`) and by `_OPTIONS` when a
  /// run gave it its options (`nad_grid=2`); nil for files no probe kind writes.
  public static func kind(ofStem stem: String) -> ProbeKind? {
    ProbeKind.all.filter { k in
      stem == k.name || stem.hasPrefix(k.name + "_") || (k.plugin != nil && stem.hasPrefix(k.name + "-"))
    }.max { $0.name.count < $1.name.count }
  }

  /// A probe spec as written, reduced to what it runs: the probe kind, the plugin (for
  /// `attack:` and `corruption:`) and the options in the order written.
  struct Written {
    var text: String
    var head: String
    var options: [(key: String, value: String)]

    init(_ text: String) throws {
      self.text = text
      let trimmed = text.trimmingCharacters(in: .whitespaces)
      let kind = trimmed.split(separator: ":", maxSplits: 1).first.map(String.init) ?? trimmed
      let rest = trimmed.dropFirst(kind.count).drop { $0 == ":" }
      if ProbeKind.named(kind)?.plugin != nil {
        let spec = try PluginSpec.parse(String(rest), option: "--probe \(text)")
        head = kind + ":" + spec.name
        options = spec.options
      } else {
        head = kind
        options = rest.trimmingCharacters(in: .whitespaces).isEmpty
          ? [] : try PluginSpec.parse("probe:" + rest, option: "--probe \(text)").options
      }
    }

    /// Equal for specs that run the same probe, whatever the order of their options.
    var identity: String {
      head + ":" + options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// The options as a file-name part: `eps=1,steps=10`; characters a shell or a file
    /// system would trip over (`|` of a sweep, `/` of a path) become `+`.
    var suffix: String {
      let text = options.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
      return String(text.unicodeScalars.map { c -> Character in
        let safe = (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9") || ".=+-_,".unicodeScalars.contains(c)
        return safe ? Character(c) : "+"
      })
    }
  }

  /// The probes made from `texts`, each under a stem no other one of them uses.
  static func assign(_ made: [(kind: ProbeKind, probe: Probe)], writtenAs texts: [String]) throws -> [PlannedProbe] {
    precondition(made.count == texts.count)
    let written = try texts.map(Written.init)
    var firstByIdentity: [String: String] = [:]
    for w in written {
      if let earlier = firstByIdentity[w.identity] {
        throw FourierLensError.badOption(
          name: "--probe \(w.text)", reason: "the same probe as --probe \(earlier); give each probe once (its outputs would overwrite each other)")
      }
      firstByIdentity[w.identity] = w.text
    }
    var sharing: [String: Int] = [:]
    for m in made { sharing[m.probe.name, default: 0] += 1 }
    let planned = zip(made, written).map { m, w in
      let shared = sharing[m.probe.name, default: 0] > 1 && !w.options.isEmpty
      return PlannedProbe(kind: m.kind, probe: m.probe, fileStem: shared ? m.probe.name + "_" + w.suffix : m.probe.name, spec: w.text)
    }
    var firstByStem: [String: String] = [:]
    for p in planned {
      if let earlier = firstByStem[p.fileStem] {
        throw FourierLensError.badOption(
          name: "--probe \(p.spec)", reason: "would write the same files (\(p.fileStem).json) as --probe \(earlier); write their options differently")
      }
      firstByStem[p.fileStem] = p.spec
    }
    return planned
  }
}

/// A probe made from a spec, with its kind and the file stem it writes under: its name, with
/// its options appended when another probe of the run has the same name.
public struct PlannedProbe {
  public let kind: ProbeKind
  public let probe: Probe
  public let fileStem: String
  /// The spec as written.
  public let spec: String
}
