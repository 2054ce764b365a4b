import ArgumentParser
import FourierLens

@main
struct Flens: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "flens",
    abstract: "FourierLens: which input frequencies does a trained image classifier really need?",
    version: "0.1.0",
    subcommands: [InfoCommand.self, BandsCommand.self, ReportCommand.self]
  )
}
