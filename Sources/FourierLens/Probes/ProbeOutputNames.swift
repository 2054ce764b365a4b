/// The file stems of the probes of one run, so that no probe overwrites another.
///
/// A probe writes under its own name (`attack-pgd-linf`, `heatmap`, ...) as long as no other
/// probe of the run has that name: single probes keep the names scripts and the report
/// know. When several share it (`attack:pgd-linf:eps=1` and `attack:pgd-linf:eps=2`), each
/// one with options gets them appended, `attack-pgd-linf_eps=1`; one without options keeps
/// the plain name. The same probe twice is refused, since it would only overwrite itself.
public enum ProbeOutputNames {
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
      if kind == "attack" || kind == "corruption" {
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

  /// A probe that writes under a stem other than its own name.
  struct Renamed: Probe {
    let probe: Probe
    let name: String
    func run(_ context: ProbeContext) throws -> ProbeOutput { try probe.run(context) }
  }

  /// The probes made from `texts`, each under a stem no other one of them uses.
  public static func assign(_ probes: [Probe], writtenAs texts: [String]) throws -> [Probe] {
    precondition(probes.count == texts.count)
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
    for p in probes { sharing[p.name, default: 0] += 1 }
    let named: [Probe] = zip(probes, written).map { p, w in
      guard sharing[p.name, default: 0] > 1, !w.options.isEmpty else { return p }
      return Renamed(probe: p, name: p.name + "_" + w.suffix)
    }
    var firstByName: [String: String] = [:]
    for (p, w) in zip(named, written) {
      if let earlier = firstByName[p.name] {
        throw FourierLensError.badOption(
          name: "--probe \(w.text)", reason: "would write the same files (\(p.name).json) as --probe \(earlier); write their options differently")
      }
      firstByName[p.name] = w.text
    }
    return named
  }
}
