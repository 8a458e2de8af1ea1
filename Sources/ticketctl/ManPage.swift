import TicketKit

/// The mdoc manual page, generated from the command table so that every
/// command and option in it is one the parser accepts. `man/ticketctl.1`
/// holds its output, and a test keeps the two identical.
enum ManPage {
    /// The page's date; change it when the page's meaning changes.
    static let date = "December 3, 2026"

    static let spec = CommandSpec(
        name: "manpage",
        summary: "Print the ticketctl(1) manual page, in mdoc, on standard output.",
        discussion: """
            Writes the source of ticketctl(1). 'ticketctl manpage | mandoc -a' reads \
            it without installing it.
            """,
        options: [Options.help], operands: nil, needsCrypto: false,
        run: { invocation in
            invocation.output.write(page())
            return .ok
        })

    static func page() -> String {
        var roff = Roff()
        roff.macro("Dd", date)
        roff.macro("Dt", "TICKETCTL 1")
        roff.macro("Os")

        roff.macro("Sh", "NAME")
        roff.macro("Nm", "ticketctl")
        roff.macro("Nd", "inspect and maintain noxtls TLS ticket-store files")

        roff.macro("Sh", "SYNOPSIS")
        for command in Ticketctl.commands {
            synopsis(of: command, into: &roff)
        }
        roff.macro("Nm")
        roff.macro("Fl", "-version")

        roff.macro("Sh", "DESCRIPTION")
        roff.text(ManPageText.description)
        for command in Ticketctl.commands {
            roff.macro("Ss", command.name)
            synopsis(of: command, into: &roff)
            roff.macro("Pp")
            roff.text(command.summary)
            roff.text(command.discussion)
            roff.macro("Bl", "-tag -width Ds")
            for option in command.options {
                roff.macro("It", item(for: option))
                roff.text(option.help)
            }
            roff.macro("El")
        }

        roff.macro("Sh", "ENVIRONMENT")
        roff.macro("Bl", "-tag -width Ds")
        roff.macro("It", "Ev TICKETCTL_KEY_FILE")
        roff.text(ManPageText.keyFileVariable)
        roff.macro("It", "Ev NO_COLOR")
        roff.text(ManPageText.noColor)
        roff.macro("El")

        roff.macro("Sh", "FILES")
        roff.macro("Bl", "-tag -width Ds")
        for (path, meaning) in ManPageText.files {
            roff.macro("It", "Pa \(path)")
            roff.text(meaning)
        }
        roff.macro("El")

        roff.macro("Sh", "EXIT STATUS")
        roff.text("Each status has one meaning, from sysexits(3) where one fits:")
        roff.macro("Bl", "-tag -width Ds")
        for status in ExitStatus.allCases {
            roff.macro("It", "\(status.rawValue)")
            roff.text(status.meaning)
        }
        roff.macro("El")
        roff.macro("Pp")
        roff.text(ManPageText.severalFiles)

        roff.macro("Sh", "EXAMPLES")
        for example in ManPageText.examples {
            if let title = example.title {
                roff.macro("Ss", title)
            } else {
                roff.macro("Pp")
            }
            roff.text(example.text)
            if !example.code.isEmpty {
                roff.literal(example.code)
            }
        }

        roff.macro("Sh", "SEE ALSO")
        roff.text(ManPageText.seeAlso)
        return roff.output
    }

    private static func synopsis(of command: CommandSpec, into roff: inout Roff) {
        roff.macro("Nm")
        roff.macro("Cm", command.name)
        if !command.requiredSynopsis.isEmpty {
            roff.macro(required(command.requiredSynopsis))
        }
        let optional = command.options.filter { !command.requiredSynopsis.contains("--\($0.long)") }
        if !optional.isEmpty {
            roff.macro("Op", "Ar options")
        }
        if let operands = command.operands {
            let name = "Ar \(operands.name)"
            switch (operands.minimum, operands.maximum) {
            case (_, 1?): roff.macro(name)
            case (0, _): roff.macro("Op", "\(name) ...")
            default: roff.macro("\(name) ...")
            }
        }
    }

    /// Turns a synopsis such as `(--identity HEX | --identity-text TEXT)...`
    /// into mdoc macros.
    private static func required(_ synopsis: String) -> String {
        var macros: [String] = []
        for token in synopsis.split(separator: " ") {
            var word = Substring(token)
            var after: [String] = []
            if word.hasPrefix("(") {
                macros.append("Po")
                word = word.dropFirst()
            }
            if word.hasSuffix(")...") {
                after = ["Pc", "Ns", "No", "..."]
                word = word.dropLast(4)
            }
            if word.hasPrefix("--") {
                macros.append("Fl \(word.dropFirst())")
            } else if word == "|" {
                macros.append("|")
            } else {
                macros.append("Ar \(word)")
            }
            macros += after
        }
        return macros.joined(separator: " ")
    }

    private static func item(for option: OptionSpec) -> String {
        var names: [String] = []
        if let short = option.short { names.append("Fl \(short) ,") }
        names.append("Fl -\(option.long)")
        if let value = option.valueName { names.append("Ar \(value)") }
        return names.joined(separator: " ")
    }
}

/// Builds roff source: macros on lines of their own, text one sentence per
/// line with roff's special characters escaped.
struct Roff {
    private(set) var output = ""

    mutating func macro(_ name: String, _ arguments: String = "") {
        output += "." + name + (arguments.isEmpty ? "" : " " + arguments) + "\n"
    }

    /// Prose: paragraphs split on blank lines, one sentence per line.
    mutating func text(_ prose: String) {
        let paragraphs = prose.split(separator: "\n\n", omittingEmptySubsequences: false)
        for (index, paragraph) in paragraphs.enumerated() {
            if index > 0 { macro("Pp") }
            let flat = paragraph.split(whereSeparator: \.isNewline).joined(separator: " ")
            for sentence in Self.sentences(flat) {
                for line in Self.wrap(sentence) {
                    output += Self.escapeLine(line) + "\n"
                }
            }
        }
    }

    /// A literal display, kept byte for byte apart from roff escapes.
    mutating func literal(_ code: String) {
        macro("Bd", "-literal -offset indent")
        for line in code.split(separator: "\n", omittingEmptySubsequences: false) {
            output += Self.escapeLine(String(line)) + "\n"
        }
        macro("Ed")
    }

    private static func sentences(_ text: String) -> [String] {
        var sentences: [String] = []
        var current = ""
        let characters = Array(text)
        for (index, character) in characters.enumerated() {
            current.append(character)
            let endsSentence = ".?!:".contains(character) && index + 1 < characters.count
                && characters[index + 1] == " " && character != ":"
            if endsSentence {
                sentences.append(current)
                current = ""
            }
        }
        sentences.append(current)
        return sentences.map { $0.trimmedOfSpaces() }.filter { !$0.isEmpty }
    }

    /// Lines of at most 80 bytes, as mandoc's style check asks, broken
    /// between words.
    private static func wrap(_ sentence: String) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in sentence.split(separator: " ") {
            if !current.isEmpty && current.utf8.count + 1 + word.utf8.count > 80 {
                lines.append(current)
                current = ""
            }
            current += (current.isEmpty ? "" : " ") + word
        }
        lines.append(current)
        return lines
    }

    private static func escapeLine(_ line: String) -> String {
        let escaped = line.replacing("\\", with: "\\e")
        if escaped.hasPrefix(".") || escaped.hasPrefix("'") {
            return "\\&" + escaped
        }
        return escaped
    }
}

private extension String {
    func trimmedOfSpaces() -> String {
        var text = Substring(self)
        while text.first == " " { text = text.dropFirst() }
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
