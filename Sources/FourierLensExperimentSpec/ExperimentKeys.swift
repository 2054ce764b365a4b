import Foundation
import FourierLens
import Yams

/// The keys each section of an experiment file may hold, from the sections' own CodingKeys,
/// so the list cannot drift from what is decoded. The decoder ignores keys it does not know:
/// without this check a misspelled `lamda:` would silently leave λ at its default.
protocol ExperimentSection {
  /// The section's CodingKeys, which list every key it decodes.
  associatedtype CodingKeys: CodingKey & CaseIterable
}

extension ExperimentSection {
  static var keys: [String] { CodingKeys.allCases.map(\.stringValue) }
}

extension ExperimentSpec: ExperimentSection {}
extension ExperimentSpec.DataSpec: ExperimentSection {}
extension ExperimentSpec.ModelSpec: ExperimentSection {}
extension ExperimentSpec.MaskSpec: ExperimentSection {}
extension ExperimentSpec.AdversarialMapSpec: ExperimentSection {}
extension ExperimentSpec.ImageMaskSpec: ExperimentSection {}
extension ExperimentSpec.ProbeSpec: ExperimentSection {}
extension ExperimentSpec.ReportSpec: ExperimentSection {}
extension SlurmSpec: ExperimentSection {}
extension SlurmSpec.Resources: ExperimentSection {}

extension ExperimentSpec {
  /// Refuses a key that no section knows, naming it where it stands (`masks.lamda`) with the
  /// nearest known key. Sections of the wrong kind (a list for a mapping) are left to the
  /// decoder, which names them.
  static func refuseUnknownKeys(_ text: String, file: String) throws {
    guard let root = try? Yams.compose(yaml: text) else { return }  // the decoder reports syntax errors
    func check<S: ExperimentSection>(_ node: Node?, _ section: S.Type, at path: String) throws {
      guard let mapping = node?.mapping else { return }
      for key in mapping.keys {
        guard let name = key.string, !S.keys.contains(name) else { continue }
        let hint = nearest(name, in: S.keys).map { "did you mean '\($0)'? " } ?? ""
        throw FourierLensError.badFile(
          path: file, reason: "\(path)\(name) is not a setting (\(hint)\(path.isEmpty ? "top-level" : String(path.dropLast())) keys: \(S.keys.joined(separator: ", ")))")
      }
    }
    try check(root, ExperimentSpec.self, at: "")
    try check(root["data"], DataSpec.self, at: "data.")
    for (name, model) in root["models"]?.mapping ?? [:] { try check(model, ModelSpec.self, at: "models.\(name.string ?? "?").") }
    try check(root["masks"], MaskSpec.self, at: "masks.")
    try check(root["adversarial_maps"], AdversarialMapSpec.self, at: "adversarial_maps.")
    try check(root["image_masks"], ImageMaskSpec.self, at: "image_masks.")
    try check(root["probes"], ProbeSpec.self, at: "probes.")
    try check(root["report"], ReportSpec.self, at: "report.")
    try check(root["slurm"], SlurmSpec.self, at: "slurm.")
    for kind in SlurmSpec.StepKind.allCases {
      try check(root["slurm"]?[kind.rawValue], SlurmSpec.Resources.self, at: "slurm.\(kind.rawValue).")
    }
  }

  /// The known key within edit distance 2 of `name` (the closest; none when nothing is that close).
  static func nearest(_ name: String, in keys: [String]) -> String? { NearestName.of(name, in: keys) }
}
