import Foundation
import FourierLens
import Testing

@Suite struct PredictCommandTests {
  @Test func oneImageAndABatchGiveConsistentLogits() throws {
    let data = try StripesData.write(count: 16)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try EvalCommandTests.trainedModel(in: dir, data: data)
    let images = try NPY.readTensor(data.appendingPathComponent("images.npy").path)
    let batchOut = dir.appendingPathComponent("batch.npy").path
    #expect(try FlensCLI.run(["predict", "--model", model, "--input", data.appendingPathComponent("images.npy").path,
                              "--out", batchOut, "--batch", "5"]).exitCode == 0)
    let single = dir.appendingPathComponent("one.npy").path
    try NPY.write(images.slice(3 ..< 4).reshaped([1, 8, 8]), to: single)
    let singleOut = dir.appendingPathComponent("one-logits.npy").path
    let run = try FlensCLI.run(["predict", "--model", model, "--input", single, "--out", singleOut])
    #expect(run.exitCode == 0, "\(run)")
    let all = try NPY.readTensor(batchOut), one = try NPY.readTensor(singleOut)
    #expect(all.shape == [16, 2] && one.shape == [1, 2])
    #expect(zip(one.data, all.data[6 ..< 8]).allSatisfy { abs($0 - $1) < 1e-5 })
  }

  @Test func wrongShapesAndNaNAreRejectedWithoutWritingOutput() throws {
    let data = try StripesData.write(count: 16)
    let dir = try FlensCLI.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: data) }
    let model = try EvalCommandTests.trainedModel(in: dir, data: data)
    let out = dir.appendingPathComponent("never.npy").path

    let wrong = dir.appendingPathComponent("wrong.npy").path
    try NPY.write(Tensor(zeros: [2, 3, 8, 8]), to: wrong)
    let a = try FlensCLI.run(["predict", "--model", model, "--input", wrong, "--out", out])
    #expect(a.exitCode == 1 && a.stderr.contains(wrong), "\(a)")

    let nan = dir.appendingPathComponent("nan.npy").path
    var t = Tensor(zeros: [2, 1, 8, 8])
    t.data[5] = .nan
    try NPY.write(t, to: nan)
    let b = try FlensCLI.run(["predict", "--model", model, "--input", nan, "--out", out])
    #expect(b.exitCode == 1 && b.stderr.contains(nan) && b.stderr.contains("NaN"), "\(b)")
    #expect(!FileManager.default.fileExists(atPath: out))
  }
}
