import Foundation

/// Progress of long work on standard error: a redrawn bar with rate and ETA on a
/// terminal, plain log lines (at most one every few seconds, plus the last) otherwise,
/// so logs of CI jobs and `nohup` runs stay readable.
public final class ProgressReporter {
  public let label: String
  public let total: Int
  public let unit: String
  private let isTerminal: Bool
  private let quiet: Bool
  private let start = DispatchTime.now()
  private var lastDraw: Double = -1e9
  private var done = 0
  private var finished = false

  /// - Parameters:
  ///   - total: number of work items (images, steps) expected, 0 if unknown.
  ///   - unit: what an item is, for the rate ("img" → "img/s").
  ///   - quiet: print nothing (for `--json` runs and tests).
  public init(label: String, total: Int, unit: String = "img", quiet: Bool = false) {
    self.label = label
    self.total = total
    self.unit = unit
    self.quiet = quiet
    self.isTerminal = isatty(STDERR_FILENO) == 1
  }

  public var elapsedSeconds: Double { Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9 }

  /// Items per second so far.
  public var rate: Double { let t = elapsedSeconds; return t > 0 ? Double(done) / t : 0 }

  /// Records `count` more items done; `metrics` is a short text such as "loss 0.41 acc 0.87".
  public func advance(by count: Int, metrics: String = "") {
    done += count
    let now = elapsedSeconds
    let interval = isTerminal ? 0.1 : 5.0
    if done >= total && total > 0 || now - lastDraw >= interval {
      lastDraw = now
      draw(metrics: metrics, final: false)
    }
  }

  /// Ends the bar with a final line.
  public func finish(metrics: String = "") {
    guard !finished else { return }
    finished = true
    draw(metrics: metrics, final: true)
  }

  private func draw(metrics: String, final: Bool) {
    guard !quiet else { return }
    let rateText = String(format: "%.1f %@/s", rate, unit)
    var eta = ""
    if total > 0, done < total, rate > 0 {
      eta = " ETA " + Self.formatDuration(Double(total - done) / rate)
    } else if final {
      eta = " in " + Self.formatDuration(elapsedSeconds)
    }
    let extra = metrics.isEmpty ? "" : "  " + metrics
    var line: String
    if isTerminal && total > 0 {
      let width = 24
      let filled = min(width, Int(Double(width) * Double(done) / Double(total)))
      let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
      line = "\r\u{1B}[2K\(label) \(bar) \(done)/\(total) \(rateText)\(eta)\(extra)"
      if final { line += "\n" }
    } else {
      let count = total > 0 ? "\(done)/\(total)" : "\(done)"
      line = "\(label): \(count) \(rateText)\(eta)\(extra)\n"
    }
    FileHandle.standardError.write(Data(line.utf8))
  }

  /// "1h02m", "3m05s", "12.3s".
  public static func formatDuration(_ seconds: Double) -> String {
    if !seconds.isFinite { return "?" }
    if seconds >= 3600 { return String(format: "%dh%02dm", Int(seconds) / 3600, (Int(seconds) % 3600) / 60) }
    if seconds >= 60 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
    return String(format: "%.1fs", seconds)
  }
}
