import ArgumentParser
import Foundation
import FourierLens

@main
struct Flens: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flens",
    abstract: "FourierLens: which input frequencies does a trained image classifier really need?",
    version: "0.1.0",
    subcommands: [
      InfoCommand.self, SpectrumCommand.self, BandsCommand.self,
      TrainCommand.self, EvalCommand.self, ImportCommand.self, PredictCommand.self,
      PluginsCommand.self, AttackCommand.self, LearnMaskCommand.self, ProbeCommand.self,
      ReportCommand.self, RunCommand.self, DemoCommand.self, BenchCommand.self,
    ]
  )

  /// The contract of ../shared/CLI.md: exit 0 on success; exit 1 with one line on stderr
  /// naming the file or option for any error a user can fix (argument-parser's own usage
  /// errors included, which it would otherwise report with status 64 and a usage block).
  static func main() {
    var command: ParsableCommand?
    do {
      try SubcommandWord.check(Array(CommandLine.arguments.dropFirst()))
      command = try parseAsRoot()
      try command!.run()
    } catch let interrupted as Interrupted {
      // Ctrl-C: the run stopped at a step boundary with a checkpoint; say how to continue.
      let howToContinue = interrupted.checkpoint == nil ? "run the command again"
        : command is ResumesByRerunning ? "run the same command again to resume"
        : "continue with the same command and --resume"
      FileHandle.standardError.write(Data(ErrorLine.format("\(interrupted): \(howToContinue)", prefix: "flens: ").utf8))
      Foundation.exit(130)
    } catch let exit as ExitCode {
      // A command that already printed its message chose its status.
      Foundation.exit(exit.rawValue)
    } catch {
      if exitCode(for: error) == .success {
        Flens.exit(withError: error)  // --help, --version
      }
      let message = Flens.message(for: error)
      FileHandle.standardError.write(Data(ErrorLine.format(message.isEmpty ? "\(error)" : message, prefix: "flens: error: ").utf8))
      Foundation.exit(1)
    }
  }
}

/// A command whose interrupted run continues when the same command is run again (its steps
/// are cached and resumed), not with `--resume`.
protocol ResumesByRerunning {}

extension RunCommand: ResumesByRerunning {}
extension DemoCommand: ResumesByRerunning {}
