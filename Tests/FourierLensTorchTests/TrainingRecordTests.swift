import Foundation
import FourierLens
import Testing
@testable import FourierLensTorch

/// model.json's `training` record: typed values, and files from before it was typed.
@Suite struct TrainingRecordTests {
  /// A model.json exactly as `flens train` wrote it while the record was a string map
  /// (every value a string, test_accuracy formatted with %.4f).
  static let oldFormat = #"""
    {"arch":"smallcnn","classes":["left","right"],"input":[1,8,8],"mean":[0.5],"std":[0.25],
     "training":{"adversarial":"fgsm:eps=0.02","augment":"base:scale_min=0.5,translate:fraction=0.1","batch":"8",
       "data":"/tmp/data","epoch":"2","epochs":"3","format":"npy","grayscale":"false","lr":"0.1","optimizer":"sgd",
       "schedule":"one-cycle (warm-up 0.25, cosine)","seed":"7","size":"8x8","test_accuracy":"0.8125",
       "train_images":"64","weight_decay":"0.0005","experiment":"","model_name":"standard","kind":"standard"}}
    """#

  func write(_ text: String) throws -> String {
    let dir = Fixtures.temporaryDirectory("record")
    try text.write(toFile: dir + "/model.json", atomically: true, encoding: .utf8)
    return dir
  }

  @Test func anOldStringOnlyRecordReadsWithTypedValues() throws {
    let d = try ModelDirectory.readDescription(try write(Self.oldFormat))
    let r = d.training
    #expect(r.epochs == 3 && r.epoch == 2 && r.batch == 8 && r.trainImages == 64 && r.seed == 7)
    #expect(r.lr == 0.1 && r.weightDecay == 0.0005 && r.testAccuracy == 0.8125)
    #expect(r.optimizer == .sgd && r.grayscale == false)
    #expect(r.data == "/tmp/data" && r.format == "npy" && r.size == "8x8" && r.modelName == "standard" && r.experiment == "")
    #expect(r.augment == "base:scale_min=0.5,translate:fraction=0.1" && r.adversarial == "fgsm:eps=0.02")
    #expect(r.schedule == "one-cycle (warm-up 0.25, cosine)")
    // A key this version does not know is kept, and written back.
    #expect(r.other == ["kind": "standard"])
  }

  @Test func savingWritesNumbersAsNumbersAndReadsBackEqual() throws {
    let old = try ModelDirectory.readDescription(try write(Self.oldFormat))
    let dir = Fixtures.temporaryDirectory("record-new")
    try AtomicFile.writeJSON(old, to: dir + "/model.json")
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/model.json"))) as? [String: Any]
    let training = try #require(json?["training"] as? [String: Any])
    #expect(training["epochs"] as? Int == 3)
    #expect(training["test_accuracy"] as? Double == 0.8125)
    #expect(training["grayscale"] as? Bool == false)
    #expect(training["seed"] as? Int == 7)
    #expect(training["kind"] as? String == "standard")
    #expect(Set(training.keys) == Set((try JSONSerialization.jsonObject(with: Data(Self.oldFormat.utf8)) as? [String: Any])?["training"]
      .flatMap { $0 as? [String: Any] }?.keys.map { $0 } ?? []))
    #expect(try ModelDirectory.readDescription(dir) == old)
  }

  @Test func aValueOfTheWrongTypeIsTheFilesErrorNamingTheKey() throws {
    for bad in [#""epochs": "three""#, #""test_accuracy": [1]"#, #""optimizer": "lbfgs""#, #""grayscale": 2"#] {
      let dir = try write(#"{"arch":"smallcnn","classes":["a"],"input":[1,8,8],"mean":[0],"std":[1],"training":{\#(bad)}}"#)
      do {
        _ = try ModelDirectory.readDescription(dir)
        Issue.record("accepted training {\(bad)}")
      } catch let FourierLensError.badFile(path, reason) {
        #expect(path == dir + "/model.json")
        #expect(!reason.contains("\n"))
        let key = String(bad.dropFirst().prefix { $0 != "\"" })
        #expect(reason.contains(key), "\(reason)")
      }
    }
  }
}
