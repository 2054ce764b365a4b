import Foundation
import FourierLens
@testable import FourierLensExperimentSpec
import Testing

/// A key no section knows is refused before anything is decoded, named where it stands with
/// the nearest known key, instead of being ignored (a misspelled `lamda:` would otherwise
/// leave λ at its default without a word).
@Suite struct ExperimentKeyTests {
  func message(_ text: String) -> String {
    do { _ = try ExperimentSpec.parse(text, file: "exp.yaml"); return "" } catch { return "\(error)" }
  }

  @Test func aMisspelledKeyIsNamedWithTheNearestKnownOne() {
    let base = ExperimentPlanTests.base
    #expect(message(base) == "", "the base experiment parses")
    let lambda = message(base.replacingOccurrences(of: "lambda: 0.02", with: "lamda: 0.02"))
    #expect(lambda.hasPrefix("exp.yaml: masks.lamda is not a setting (did you mean 'lambda'? masks keys: param, transform"), "\(lambda)")
    let top = message(base + "\nprobe: {run: [accuracy]}\n")
    #expect(top.hasPrefix("exp.yaml: probe is not a setting (did you mean 'probes'? top-level keys: name, seed"), "\(top)")
    let model = message(base.replacingOccurrences(of: "optimizer: adam", with: "optimiser: adam"))
    #expect(model.hasPrefix("exp.yaml: models.other.optimiser is not a setting (did you mean 'optimizer'?"), "\(model)")
    let slurm = message(base + "\nslurm: {train: {cpu: 4}}\n")
    #expect(slurm.hasPrefix("exp.yaml: slurm.train.cpu is not a setting (did you mean 'cpus'?"), "\(slurm)")
    let far = message(base.replacingOccurrences(of: "test_limit: 32", with: "test_limit: 32, colour: false"))
    #expect(far.hasPrefix("exp.yaml: data.colour is not a setting (data keys: path, grayscale, size, train_limit, test_limit, train_offset, test_offset)"), "\(far)")
    for section in ["adversarial_maps: {attack: fgsm, epoch: 3}", "image_masks: {image: 3}", "report: {baselin: standard}"] {
      let m = message(base + "\n" + section + "\n")
      #expect(m.contains(" is not a setting (did you mean "), "\(section): \(m)")
    }
  }

  @Test func theExamplesUseOnlyKnownKeys() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let examples = root.appendingPathComponent("examples")
    let files = try #require(FileManager.default.enumerator(atPath: examples.path)).compactMap { $0 as? String }
      .filter { $0.hasSuffix(".yaml") && !$0.contains("/.") }
    #expect(files.count >= 4, "\(files)")
    for file in files {
      let text = try String(contentsOf: examples.appendingPathComponent(file), encoding: .utf8)
      #expect(throws: Never.self, "\(file)") { _ = try ExperimentSpec.parse(text, file: file) }
    }
  }

  @Test func editDistanceCountsSingleCharacterEdits() {
    #expect(NearestName.editDistance("lamda", "lambda") == 1)
    #expect(NearestName.editDistance("", "abc") == 3 && NearestName.editDistance("abc", "") == 3)
    #expect(NearestName.editDistance("kitten", "sitting") == 3)
    #expect(ExperimentSpec.nearest("colour", in: ["path", "size"]) == nil)
  }
}
