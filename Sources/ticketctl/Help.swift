import TicketKit

/// `--help` text, derived from the command table.
enum Help {
    static let width = 80

    static func overview() -> String {
        var text = """
            ticketctl \(Ticketctl.version): inspect and maintain noxtls TLS ticket-store files

            usage: ticketctl COMMAND [options] FILE...
                   ticketctl COMMAND --help
                   ticketctl --version

            commands:

            """
        let nameWidth = (Ticketctl.commands.map(\.name.count).max() ?? 0) + 2
        for command in Ticketctl.commands {
            text += "  " + command.name.padding(to: nameWidth) + command.summary + "\n"
        }
        text += """

            The key is read from --key-file PATH, or from the file named by
            TICKETCTL_KEY_FILE; it is never taken on the command line.


            """
        return text + exitStatusSection()
    }

    static func text(for command: CommandSpec) -> String {
        var text = "usage: \(command.usage)\n\n\(command.summary)\n\n"
        text += wrap(command.discussion, indent: 0) + "\n\noptions:\n"
        for option in command.options {
            text += "  \(option.display)\n" + wrap(option.help, indent: 6) + "\n"
        }
        return text + "\n" + exitStatusSection()
    }

    static func exitStatusSection() -> String {
        var text = "exit status:\n"
        for status in ExitStatus.allCases {
            text += "  " + String(status.rawValue).padding(to: 4) + status.meaning + "\n"
        }
        return text + "  With several files, the exit status is the highest of theirs.\n"
    }

    /// Greedy word wrap to `width` columns.
    static func wrap(_ paragraph: String, indent: Int) -> String {
        paragraph.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            var lines: [String] = []
            var current = ""
            for word in line.split(separator: " ") {
                if !current.isEmpty && indent + current.count + 1 + word.count > width {
                    lines.append(current)
                    current = ""
                }
                current += (current.isEmpty ? "" : " ") + word
            }
            lines.append(current)
            let pad = String(repeating: " ", count: indent)
            return lines.map { $0.isEmpty ? "" : pad + $0 }.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
