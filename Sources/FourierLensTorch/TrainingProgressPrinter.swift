import Foundation
import FourierLens

/// Shows a training run on standard error: within an epoch a progress bar (on a terminal)
/// or a line every few seconds (otherwise) with loss, accuracy, images/s and the run's ETA;
/// after each epoch one summary line with the test accuracy.
public final class TrainingProgressPrinter {
  private var reporter: ProgressReporter?
  private var reporterEpoch = 0
  private let quiet: Bool

  public init(quiet: Bool = false) { self.quiet = quiet }

  public func handle(_ event: TrainingEvent) {
    guard !quiet else { return }
    switch event {
    case let .epochStarted(epoch, epochs, firstStep, stepsPerEpoch):
      reporter = ProgressReporter(label: "epoch \(epoch)/\(epochs)", total: stepsPerEpoch - firstStep, unit: "step")
      reporterEpoch = epoch
    case let .step(p):
      if reporter == nil || reporterEpoch != p.epoch {
        reporter = ProgressReporter(label: "epoch \(p.epoch)/\(p.epochs)", total: p.stepsPerEpoch, unit: "step")
        reporterEpoch = p.epoch
      }
      let metrics = String(format: "loss %.4f  acc %.1f%%  %.0f img/s  lr %.2g  run ETA %@", p.loss, 100 * p.accuracy,
                           p.imagesPerSecond, p.learningRate, ProgressReporter.formatDuration(p.etaSeconds))
      reporter?.advance(by: 1, metrics: metrics)
    case let .epoch(r, isBest):
      reporter?.finish()
      reporter = nil
      var line = String(format: "epoch %d: loss %.4f  train %.2f%%", r.epoch, r.trainLoss, 100 * r.trainAccuracy)
      if let t = r.testAccuracy { line += String(format: "  test %.2f%%", 100 * t) + (isBest ? " (best)" : "") }
      line += String(format: "  %.0f img/s  %@\n", r.imagesPerSecond, ProgressReporter.formatDuration(r.seconds))
      FileHandle.standardError.write(Data(line.utf8))
    case let .note(text):
      FileHandle.standardError.write(Data((text + "\n").utf8))
    }
  }
}
