import TicketKit

/// A mistake on the command line: exit 64 with a pointer to the help.
struct UsageError: Error, CustomStringConvertible {
    let message: String
    /// The command whose help to point at, if one was recognised.
    var command: String?

    var description: String { message }
}

/// Arguments matched against a command's declared options.
struct ParsedArguments {
    var values: [String: [String]] = [:]
    var flags: Set<String> = []
    var operands: [String] = []

    func value(_ option: OptionSpec) -> String? { values[option.long]?.last }
    func all(_ option: OptionSpec) -> [String] { values[option.long] ?? [] }
    func has(_ option: OptionSpec) -> Bool { flags.contains(option.long) }
}

enum ArgumentParser {
    /// Parses `arguments` (without the command name) against `command`'s
    /// options. Accepts `--name value`, `--name=value`, `-x value`, bundled
    /// short flags, and `--` to end options; a lone `-` is an operand.
    static func parse(_ arguments: [String], for command: CommandSpec) throws -> ParsedArguments {
        var parsed = ParsedArguments()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--" {
                parsed.operands.append(contentsOf: remaining)
                break
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.operands.append(argument)
                continue
            }
            for (option, inlineValue) in try options(in: argument, for: command) {
                if let valueName = option.valueName {
                    guard let value = inlineValue ?? remaining.popFirst() else {
                        throw UsageError(
                            message: "option --\(option.long) needs a value (\(valueName))", command: command.name)
                    }
                    if !option.repeatable && parsed.values[option.long] != nil {
                        throw UsageError(message: "option --\(option.long) given twice", command: command.name)
                    }
                    parsed.values[option.long, default: []].append(value)
                } else {
                    guard inlineValue == nil else {
                        throw UsageError(message: "option --\(option.long) takes no value", command: command.name)
                    }
                    parsed.flags.insert(option.long)
                }
            }
        }
        if parsed.flags.contains(Options.help.long) {
            return parsed
        }
        try checkOperands(parsed.operands, for: command)
        return parsed
    }

    /// The options one argument names, with the value written inside it.
    private static func options(in argument: String, for command: CommandSpec) throws -> [(OptionSpec, String?)] {
        if argument.hasPrefix("--") {
            let body = argument.dropFirst(2)
            let name = body.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
            let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            guard let option = command.option(named: name) else {
                throw unknown("--\(name)", among: command.options.map { "--\($0.long)" }, in: command)
            }
            return [(option, inline)]
        }

        var found: [(OptionSpec, String?)] = []
        var letters = argument.dropFirst()
        while let letter = letters.popFirst() {
            guard let option = command.options.first(where: { $0.short == letter }) else {
                throw unknown("-\(letter)", among: command.options.compactMap { $0.short.map { "-\($0)" } }, in: command)
            }
            if option.takesValue {
                found.append((option, letters.isEmpty ? nil : String(letters)))
                break
            }
            found.append((option, nil))
        }
        return found
    }

    private static func checkOperands(_ operands: [String], for command: CommandSpec) throws {
        guard let spec = command.operands else {
            if let first = operands.first {
                throw UsageError(message: "unexpected argument '\(first)'", command: command.name)
            }
            return
        }
        if operands.count < spec.minimum {
            throw UsageError(message: "missing \(spec.name): \(command.usage)", command: command.name)
        }
        if let maximum = spec.maximum, operands.count > maximum {
            throw UsageError(
                message: "too many arguments: \(command.name) takes \(maximum == 1 ? "one" : String(maximum)) \(spec.name)",
                command: command.name)
        }
    }

    private static func unknown(_ name: String, among candidates: [String], in command: CommandSpec) -> UsageError {
        var message = "unknown option '\(name)' for \(command.name)"
        if let suggestion = Suggestion.closest(to: name, among: candidates) {
            message += "; did you mean '\(suggestion)'?"
        }
        return UsageError(message: message, command: command.name)
    }
}

/// The nearest known word to a misspelt one, by edit distance.
enum Suggestion {
    static func closest(to word: String, among candidates: [String]) -> String? {
        let scored = candidates.map { ($0, distance(word, $0)) }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        let allowed = max(2, word.count / 3)
        if best.1 <= allowed || best.0.hasPrefix(word) && word.count > 2 {
            return best.0
        }
        return nil
    }

    /// Levenshtein distance over characters.
    static func distance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs), b = Array(rhs)
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = previous
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
