import Foundation
import Testing

/// The argument parser wraps every line of a discussion at the terminal width on its own,
/// so hard line breaks inside a paragraph leave one-word lines, and over-long example or
/// table lines spill onto an unindented line. Every command's help must show neither.
@Suite struct HelpLayoutCommandTests {
  static let commands = ["info", "spectrum", "bands", "train", "eval", "import", "predict", "plugins", "plugins check",
                         "attack", "learn-mask", "probe", "report", "run", "demo", "bench",
                         "bench mask-step", "bench attack-step", "bench train-step", "bench masked-forward", "bench fft", "bench gemm"]

  /// What is wrong with the layout of `help` (the text before USAGE), one entry per fault.
  static func layoutFaults(_ help: String) -> [String] {
    let discussion = help.components(separatedBy: "\nUSAGE:").first ?? help
    var faults: [String] = []
    for paragraph in discussion.components(separatedBy: "\n\n") {
      let lines = paragraph.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
      for (a, b) in zip(lines, lines.dropFirst()) {
        let words = a.split(separator: " ")
        // A prose line at the margin; indented lines (a spec above its description) are layout.
        if words.count == 1 && !a.hasPrefix(" ") && b.count > a.count && !a.hasSuffix(":") {
          faults.append("one-word line '\(a)' before '\(b)'")
        }
        let indentedBefore = a.hasPrefix(" "), flushAfter = !b.hasPrefix(" ")
        if indentedBefore && flushAfter, let first = b.unicodeScalars.first,
           CharacterSet.lowercaseLetters.contains(first) || b.hasPrefix("-") || b.hasPrefix("'") {
          faults.append("'\(b)' continues the indented line '\(a)' at the margin (a wrapped example or table row)")
        }
      }
    }
    return faults
  }

  @Test func faultsAreFound() {
    #expect(Self.layoutFaults("Training with a\none-cycle rate\n\nUSAGE: x").count == 0)
    #expect(Self.layoutFaults("Mini-batch training and\na\none-cycle rate\nUSAGE:").count == 1)
    #expect(Self.layoutFaults("Example:\n  flens train --arch x\n--epochs 30 \\\n").count == 1)
    #expect(Self.layoutFaults("Probes:\n  passband[:radial=8]\n        low/high-pass curves\n").isEmpty)
  }

  @Test func noHelpHasOneWordLinesOrSpilledExampleLines() throws {
    for command in Self.commands {
      let r = try FlensCLI.run(command.split(separator: " ").map(String.init) + ["--help"], environment: ["COLUMNS": "80"])
      #expect(r.exitCode == 0, "\(command): \(r)")
      let faults = Self.layoutFaults(r.stdout)
      #expect(faults.isEmpty, "flens \(command) --help: \(faults)")
    }
  }
}
