import ArgumentParser
import FourierLens

/// A command that is only a group of subcommands (`flens bench`) names an unknown first word
/// in its error: argument-parser would report the first option it did not expect instead
/// (`flens bench sprint --json` → "Unknown option '--json'"), which hides the mistake.
enum SubcommandWord {
  /// Throws when `arguments` (after `flens`) name a group below the root, without a default
  /// subcommand, followed by a word that is none of its subcommands.
  static func check(_ arguments: [String]) throws {
    var command: ParsableCommand.Type = Flens.self
    var path = ["flens"]
    for word in arguments {
      let group = command.configuration
      guard !group.subcommands.isEmpty, !word.hasPrefix("-") else { return }
      if let next = group.subcommands.first(where: { $0.configuration.commandName == word }) {
        command = next
        path.append(word)
        continue
      }
      if path.count == 1 || word == "help" || group.defaultSubcommand != nil { return }
      let known = group.subcommands.compactMap { $0.configuration.commandName }.joined(separator: ", ")
      throw FourierLensError.message("\(path.joined(separator: " ")): unknown subcommand '\(word)' (known: \(known))")
    }
  }
}
