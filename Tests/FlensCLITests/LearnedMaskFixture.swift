import Foundation

/// Stripes data, a model trained on it and a mask learned for it with `flens learn-mask`,
/// in a fresh directory: the start of the tests that probe or report on a mask.
struct LearnedMaskFixture {
  let data: URL
  let dir: URL
  let model: String
  let mask: String

  init(images: Int = 24, epochs: Int = 1, seeds: Int = 1) throws {
    data = try StripesData.write(count: images)
    dir = try FlensCLI.temporaryDirectory()
    model = try EvalCommandTests.trainedModel(in: dir, data: data)
    mask = dir.appendingPathComponent("mask").path
    let learn = try FlensCLI.run(["learn-mask", "--model", model, "--data", data.path, "--epochs", "\(epochs)", "--batch", "12",
                                  "--seeds", "\(seeds)", "--threads", "2", "--out", mask])
    guard learn.exitCode == 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "learn-mask failed: \(learn)"]) }
  }

  func remove() {
    try? FileManager.default.removeItem(at: dir)
    try? FileManager.default.removeItem(at: data)
  }
}
