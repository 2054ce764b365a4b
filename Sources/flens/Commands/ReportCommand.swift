import ArgumentParser
import Foundation
import FourierLens
import FourierLensReport

/// `flens report`: compares the learned masks (and probe results) of several models on one
/// self-contained HTML page with paper-ready figures and the data behind them.
struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Compare models' masks and probes in an HTML report with SVG/PNG figures.",
    discussion: """
      Each RUN_DIR is either
        - a run directory (as written by `flens run` or `flens demo`) with
          masks/<model>/ (learn-mask directories), and optionally probes/<model>/
          (probe outputs) and models/<model>/: every model becomes an entry; or
        - one `flens learn-mask` directory (it has summary.json), named by its
          folder, with probe outputs in RUN_DIR/probes/ if present.

      OUT gets index.html (no script, inline CSS, viewable offline), figures/ \
      (SVG charts and frequency maps, PNG heat maps with colour bars) and data/ \
      (JSON and CSV: the numbers behind every figure). The page has a summary \
      table, each model's centred mask, differences from the baseline, radial \
      and angular band energies (with 95 % bootstrap intervals when several seeds \
      or masks exist), mask reliability, and, when the probes exist, Fourier \
      heat maps, pass-band curves, robust accuracy and corruption curves, and \
      the mask-learning curves. Missing probes only leave their figures out.

      Models named NAME@k (network k of NAME: `flens train --seeds K`, experiments \
      with `seeds: K`) are the networks of one condition NAME: profiles and their \
      differences are per condition, with hierarchical bootstrap intervals over the \
      networks and their mask seeds, and each network's value drawn beside the mean. \
      With one network per model, the intervals cover that network's mask seeds only, \
      and the page says so.

      --retention R reports the masks of `flens learn-mask --retention` at R: each
      mask directory is read from its retention-<R>/ subdirectory (and probes from
      probes/.../retention-<R>/). The summary table shows each mask's retention
      (masked / clean accuracy) on its learning and on its validation images,
      names the images behind every number, and says when the compared masks are
      more than 1 point of retention apart, when a mask missed its accuracy target
      or when it comes from a λ that did not converge. The λ path (retention and
      sparsity against λ, the λ chosen for each R marked) is drawn from the
      path.csv beside the retention-<R>/ directories (data/path.csv).

      Example:
        flens report runs/paper --baseline standard --out runs/paper/report
        flens report runs/std-mask runs/adv-mask --radial 8 --angular 8 --out report
        flens report masks/standard masks/adversarial --retention 0.95 --out report-95
      """
  )

  @Argument(help: "Run directories or learn-mask directories.")
  var runDirectories: [String] = []

  @Option(name: .long, help: "The model (or condition NAME of NAME@k networks) differences are taken against (default: `standard` if present, else the first).")
  var baseline: String?

  @Option(name: .long, help: "Number of radial bands for the band-energy profiles.")
  var radial: Int = 16

  @Option(name: .long, help: "Number of angular sectors (over 180°, opposite directions folded; 90° for DCT masks).")
  var angular: Int = 8

  @Option(name: .long, help: "Report the masks of `learn-mask --retention` at this R (their retention-<R>/ directories).")
  var retention: Float?

  @Option(name: .long, help: "The report directory to write.")
  var out: String

  @Flag(name: .long, help: "Print one JSON object on stdout (index, models, baseline, sections, figures, data, absent).")
  var json = false

  func validate() throws {
    if runDirectories.isEmpty { throw FourierLensError.badOption(name: "RUN_DIR", reason: "give at least one run or mask directory") }
    if radial < 1 { throw FourierLensError.badOption(name: "--radial", reason: "needs at least 1 band, got \(radial)") }
    if angular < 1 { throw FourierLensError.badOption(name: "--angular", reason: "needs at least 1 sector, got \(angular)") }
    if let retention, !(retention > 0 && retention <= 1) {
      throw FourierLensError.badOption(name: "--retention", reason: "must be a fraction of clean accuracy in (0, 1], got \(retention)")
    }
    if out.isEmpty { throw FourierLensError.badOption(name: "--out", reason: "needs a directory") }
  }

  func run() throws {
    let options = ReportOptions(baseline: baseline, bands: BandSettings(radial: radial, angular: angular), retention: retention)
    let summary = try ReportGenerator.generate(runDirectories: runDirectories, options: options, to: out)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      print(String(decoding: try encoder.encode(summary), as: UTF8.self))
    } else {
      print("report: \(summary.index) (\(summary.models.count) model\(summary.models.count == 1 ? "" : "s"), "
            + "baseline \(summary.baseline), \(summary.figures.count) figure files)")
      for line in summary.absent { print("  not shown: \(line)") }
    }
  }
}
