import Foundation
import FourierLens

/// One model of a report: its learned mask, and whatever probes and description exist.
public struct ReportEntry: Sendable {
  /// The name shown everywhere (the folder name), unique within a report.
  public var name: String
  public var mask: LearnedMask
  public var probes: ProbeResults
  /// The model's description (`models/<name>/model.json`), when the run has one.
  public var model: ModelDescription?
  /// `examples.png` of the mask directory (originals above, seen through the mask below), if present.
  public var examplesImage: String?
  /// The λ path of a `learn-mask --retention` run (its `path.csv`), when the mask is one of its `retention-<R>/`.
  public var lambdaPath: LambdaPath?

  /// The condition (kind of training) this network belongs to: NAME for an entry named
  /// `NAME@k` (network k of NAME, as `flens train --seeds` and experiments with
  /// `models.NAME.seeds: K` name them), else the entry's own name (a condition of one network).
  public var condition: String { Self.condition(ofName: name) }

  public static func condition(ofName name: String) -> String {
    guard let at = name.lastIndex(of: "@"), at != name.startIndex,
          let k = Int(name[name.index(after: at)...]), k >= 0 else { return name }
    return String(name[..<at])
  }

  public init(name: String, mask: LearnedMask, probes: ProbeResults = ProbeResults(), model: ModelDescription? = nil,
              examplesImage: String? = nil, lambdaPath: LambdaPath? = nil) {
    self.name = name
    self.mask = mask
    self.probes = probes
    self.model = model
    self.examplesImage = examplesImage
    self.lambdaPath = lambdaPath
  }
}

/// Where `flens report` finds its inputs. This is the one definition of the layout.
///
/// Each RUN_DIR argument is one of:
///
/// (a) An experiment run directory (what `flens run` and `flens demo` write):
///
///       RUN_DIR/masks/<model>/      a `flens learn-mask` directory per model (summary.json, mask.npy, …)
///       RUN_DIR/probes/<model>/     optional: `flens probe` outputs for that model (NAME.json, NAME.csv, NAME.<key>.npy)
///       RUN_DIR/models/<model>/     optional: the model (model.json describes it)
///
///     Every folder under `masks/` becomes an entry named by the folder.
///
/// (b) A single `flens learn-mask` directory (it has `summary.json`): one entry named by
///     the directory's own name, with probe outputs in `RUN_DIR/probes/` if present.
///
/// With a retention target R (`flens report --retention R`, experiments with
/// `masks.retention`), every mask directory above is replaced by its `retention-<R>/`
/// subdirectory (what `flens learn-mask --retention` writes), and every probe directory by
/// its `retention-<R>/` subdirectory.
///
/// In both, a mask directory's `examples.png` is shown when present, and a `retention-<R>/`
/// mask directory's λ path when its parent holds `path.csv` (see `LambdaPath`). Absent probes only
/// omit their figures; present but unreadable files are errors that name the file.
/// Names are made unique across RUN_DIRs by prefixing the parent folder when two collide.
public enum ReportInputs {
  public static let masksFolder = "masks"
  public static let probesFolder = "probes"
  public static let modelsFolder = "models"
  public static let modelDescriptionFile = "model.json"
  public static let examplesFile = "examples.png"

  /// What a RUN_DIR is.
  public enum Kind: Equatable, Sendable {
    case experiment
    case maskDirectory
  }

  static func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
  }

  static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

  /// `/retention-<R>`, or nothing without a target.
  static func retentionSuffix(_ retention: Float?) -> String {
    retention.map { "/" + RetentionPathConfig.directoryName($0) } ?? ""
  }

  /// Classifies a RUN_DIR, or says why it is neither kind.
  public static func kind(of runDirectory: String, retention: Float? = nil) throws -> Kind {
    guard exists(runDirectory) else { throw FourierLensError.badFile(path: runDirectory, reason: "no such directory") }
    guard isDirectory(runDirectory) else {
      throw FourierLensError.badFile(path: runDirectory, reason: "not a directory (expected a run directory or a `flens learn-mask` directory)")
    }
    let suffix = retentionSuffix(retention)
    if exists(MaskRunDirectory.summaryFile(runDirectory + suffix)) { return .maskDirectory }
    if isDirectory(runDirectory + "/" + masksFolder) { return .experiment }
    if let retention {
      throw FourierLensError.badFile(path: runDirectory, reason:
        "has no \(RetentionPathConfig.directoryName(retention))/summary.json and no masks/<model>/ folders "
          + "(was `flens learn-mask --retention` run with \(retention)?)")
    }
    throw FourierLensError.badFile(path: runDirectory, reason:
      "neither a run directory (no masks/<model>/ folders) nor a `flens learn-mask` directory (no summary.json)"
        + retentionHint(runDirectory))
  }

  /// For a directory of `learn-mask --retention` read without a target: how to read it.
  static func retentionHint(_ directory: String) -> String {
    let targets = MaskRunDirectory.retentionDirectories(in: directory)
    guard !targets.isEmpty else { return "" }
    return "; it holds \(targets.joined(separator: ", ")) from `flens learn-mask --retention`: pass --retention R"
  }

  /// The entries of all RUN_DIRs, in argument order (models of one run directory sorted by name).
  public static func read(_ runDirectories: [String], retention: Float? = nil) throws -> [ReportEntry] {
    guard !runDirectories.isEmpty else { throw FourierLensError.badOption(name: "RUN_DIR", reason: "give at least one directory") }
    let suffix = retentionSuffix(retention)
    var found: [(name: String, parent: String, entry: ReportEntry)] = []
    for raw in runDirectories {
      let run = normalized(raw)
      switch try kind(of: run, retention: retention) {
      case .maskDirectory:
        let name = URL(fileURLWithPath: run).standardizedFileURL.lastPathComponent
        let probes = run + "/" + probesFolder + suffix
        let parent = URL(fileURLWithPath: run).standardizedFileURL.deletingLastPathComponent().lastPathComponent
        found.append((name, parent, try entry(name: name, maskDirectory: run + suffix, probeDirectory: probes,
                                              modelDirectory: nil)))
      case .experiment:
        let masks = run + "/" + masksFolder
        let models = try subdirectories(masks)
        guard !models.isEmpty else {
          throw FourierLensError.badFile(path: masks, reason: "holds no mask directories (expected masks/<model>/summary.json)")
        }
        let parent = URL(fileURLWithPath: run).standardizedFileURL.lastPathComponent
        for model in models {
          found.append((model, parent, try entry(
            name: model, maskDirectory: masks + "/" + model + suffix,
            probeDirectory: run + "/" + probesFolder + "/" + model + suffix,
            modelDirectory: run + "/" + modelsFolder + "/" + model)))
        }
      }
    }
    // Unique names: prefix the parent folder of colliding names, then number what still collides.
    let counts = Dictionary(found.map { ($0.name, 1) }, uniquingKeysWith: +)
    var used = Set<String>()
    return found.map { item in
      var entry = item.entry
      var name = counts[item.name]! > 1 ? item.parent + "/" + item.name : item.name
      if used.contains(name) {
        var k = 2
        while used.contains("\(name) (\(k))") { k += 1 }
        name = "\(name) (\(k))"
      }
      used.insert(name)
      entry.name = name
      return entry
    }
  }

  /// The baseline entry's index: `requested` by name (or the first network of the condition
  /// of that name), else `standard`'s, else the first.
  public static func baselineIndex(_ entries: [ReportEntry], requested: String?) throws -> Int {
    if let requested {
      guard let i = entries.firstIndex(where: { $0.name == requested }) ?? entries.firstIndex(where: { $0.condition == requested }) else {
        throw FourierLensError.badOption(name: "--baseline", reason:
          "no model named \"\(requested)\" (the models are: \(entries.map(\.name).joined(separator: ", ")))")
      }
      return i
    }
    return entries.firstIndex(where: { $0.name == "standard" }) ?? entries.firstIndex(where: { $0.condition == "standard" }) ?? 0
  }

  static func normalized(_ path: String) -> String {
    var p = path
    while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
    return p
  }

  /// Visible subdirectories, sorted.
  static func subdirectories(_ path: String) throws -> [String] {
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: path)
    } catch {
      throw FourierLensError.badFile(path: path, reason: "cannot be listed (\(error.localizedDescription))")
    }
    return names.filter { !$0.hasPrefix(".") && isDirectory(path + "/" + $0) }.sorted()
  }

  static func entry(name: String, maskDirectory: String, probeDirectory: String, modelDirectory: String?) throws -> ReportEntry {
    if !exists(MaskRunDirectory.summaryFile(maskDirectory)), case let hint = retentionHint(maskDirectory), !hint.isEmpty {
      throw FourierLensError.badFile(path: maskDirectory, reason: "not a mask directory" + hint)
    }
    let mask = try MaskRunDirectory.read(maskDirectory)
    let probes = isDirectory(probeDirectory) ? try ProbeResults.read(probeDirectory) : ProbeResults()
    var model: ModelDescription?
    // The run's models/<name>/, else the model directory the mask was learned for.
    for dir in [modelDirectory, mask.summary.model].compactMap({ $0 }) where isDirectory(dir) {
      let path = dir + "/" + modelDescriptionFile
      guard exists(path) else { continue }
      model = try ProbeResults.decode(path, what: "model description") as ModelDescription
      break
    }
    let examples = maskDirectory + "/" + examplesFile
    return ReportEntry(name: name, mask: mask, probes: probes, model: model, examplesImage: exists(examples) ? examples : nil,
                       lambdaPath: try LambdaPath.read(maskDirectory: maskDirectory))
  }
}
