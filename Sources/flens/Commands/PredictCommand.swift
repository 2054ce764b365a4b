import ArgumentParser
import Foundation
import FourierLens
import FourierLensTorch

/// `flens predict`: logits of a model for a `.npy` batch.
struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Run a model on a .npy batch of pixel-space images and write the logits.",
    discussion: """
      INPUT is float32 (or float64) [N, C, H, W] or one image [C, H, W], in pixel space \
      ([0, 1]; the model applies its own normalisation). The output is float32 [N, K] \
      logits in the order of the model's classes.

      Example:
        flens predict --model runs/smallcnn --input images.npy --out logits.npy
      """
  )

  @OptionGroup var modelOptions: ModelOptions

  @Option(name: .long, help: ArgumentHelp("Images as a .npy array [N, C, H, W] or [C, H, W].", valueName: "x.npy"))
  var input: String

  @Option(name: .long, help: ArgumentHelp("Where to write the [N, K] logits (.npy).", valueName: "logits.npy"))
  var out: String

  @Option(name: .long, help: ArgumentHelp("Images per forward pass.", valueName: "n"))
  var batch = 256

  func validate() throws {
    if batch < 1 { throw FourierLensError.badOption(name: "--batch", reason: "must be positive, got \(batch)") }
    if out.isEmpty { throw FourierLensError.badOption(name: "--out", reason: "empty path") }
  }

  func run() throws {
    var x = try NPY.readTensor(input)
    if x.rank == 3 { x = x.reshaped([1] + x.shape) }
    let model = try modelOptions.load()
    guard x.rank == 4, Array(x.shape.dropFirst()) == model.description.input, x.shape[0] > 0 else {
      throw FourierLensError.badFile(path: input, reason: "holds an array of shape \(x.shape); model \(modelOptions.model) takes [N] + \(model.description.input)")
    }
    guard x.isFinite else { throw FourierLensError.badFile(path: input, reason: "holds NaN or infinity") }
    model.chunkSize = batch
    let logits = try model.logits(x)
    try NPY.write(Tensor(shape: [x.shape[0], model.description.classes.count], data: logits), to: out)
  }
}
