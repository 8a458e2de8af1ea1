import TicketKit

/// What a shell should complete for an option value or an operand.
enum Completion: Equatable, Sendable {
    case none
    case file
    case choices([String])
}

/// One option, declared once. Parsing, `--help`, the man page and the
/// completions are all derived from these declarations.
struct OptionSpec: Equatable, Sendable {
    let long: String
    var short: Character?
    /// Placeholder for the value, such as `PATH`; nil for a flag.
    var valueName: String?
    var completion: Completion = .none
    var repeatable = false
    let help: String

    var takesValue: Bool { valueName != nil }
    var display: String {
        let names = [short.map { "-\($0)" }, "--\(long)"].compactMap { $0 }.joined(separator: ", ")
        return valueName.map { "\(names) \($0)" } ?? names
    }
}

/// The positional arguments a command takes.
struct OperandSpec: Equatable, Sendable {
    let name: String
    var minimum = 1
    /// nil for any number.
    var maximum: Int? = nil
    var completion: Completion = .file

    var usage: String {
        switch (minimum, maximum) {
        case (_, 1?): name
        case (0, _): "[\(name)...]"
        default: "\(name)..."
        }
    }
}

/// A subcommand: its options, operands, words for help, and what it does.
struct CommandSpec: Sendable {
    let name: String
    let summary: String
    let discussion: String
    let options: [OptionSpec]
    var operands: OperandSpec? = OperandSpec(name: "FILE")
    /// Whether the command rewrites stores.
    var writes = false
    /// Options that must be given, as the synopsis shows them.
    var requiredSynopsis = ""
    /// Whether the command opens stores, and so needs AES-256-GCM; the
    /// generators of the man page and completions do not.
    var needsCrypto = true
    let run: @Sendable (Invocation) throws -> ExitStatus

    func option(named long: String) -> OptionSpec? {
        options.first { $0.long == long }
    }

    var usage: String {
        let required = requiredSynopsis.isEmpty ? "" : " \(requiredSynopsis)"
        return "ticketctl \(name) [options]\(required)" + (operands.map { " \($0.usage)" } ?? "")
    }
}
