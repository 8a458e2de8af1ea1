import Glibc
import TicketKit

enum InspectCommand {
    static let tickets = OptionSpec(long: "tickets", short: "t", help: "Also list every ticket, one line each.")
    static let check = OptionSpec(
        long: "check",
        help: "Exit with status 1 when a store needs attention: a mode that noxtls refuses, over 90% of max_entries or of the byte limit used, or a seal other than --expect-seal. The reasons go to standard error.")
    static let expectSeal = OptionSpec(
        long: "expect-seal", valueName: "SEAL", completion: Options.seal.completion,
        help: "The seal every store should have: 'standard' once the fleet runs noxtls 0.2, 'noxtls-0.1' before. A store in the other seal needs attention.")

    static let spec = CommandSpec(
        name: "inspect",
        summary: "Summarise stores: seal, counts, times, capacity and file mode.",
        discussion: """
            Opens each FILE with the key and reports which seal it uses and which noxtls \
            versions can read it, its payload version and capacity, how many tickets are \
            consumed, expired at the clock, and live, the earliest and latest issue times \
            and the next expiry (RFC 3339, UTC), how many allow early data, the file's \
            mode and owner, and anything dropped on read because the file held more \
            tickets than max_entries. Never writes. With --json, writes an array with one \
            object per FILE whose fields keep their meaning across releases \
            (format_version says which). Colour is used only when standard output is a \
            terminal and NO_COLOR is not set.
            """,
        options: [
            Options.keyFile, Options.keyFD, Options.now, tickets, check, expectSeal, Options.json, Options.quiet,
            Options.help,
        ],
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let nowMs = try invocation.nowMs()
        let source = try invocation.keySource()
        let key = try invocation.loadKey(from: source)
        let listTickets = invocation.arguments.has(tickets)
        let checking = invocation.arguments.has(check)
        let expectedSeal = try invocation.sealOption(expectSeal)
        let colour = Colour(enabled: isatty(STDOUT_FILENO) == 1 && invocation.environment["NO_COLOR"] == nil)
        return invocation.forEachFile { path in
            let opened = try StoreFile.open(path, key: key)
            var summary = StoreSummary(opened, nowMs: nowMs, includeTickets: listTickets && invocation.json)
            summary.judge(expectedSeal: expectedSeal)
            if invocation.json {
                invocation.addJSON(summary)
            } else if !invocation.quiet {
                invocation.output.write(render(summary, tickets: listTickets ? opened.store.tickets : nil, colour: colour))
            }
            guard checking else {
                warnAboutMode(summary, invocation: invocation)
                return .ok
            }
            for reason in summary.attention {
                invocation.errors.write("ticketctl: attention: \(summary.file): \(reason)\n")
            }
            return summary.attention.isEmpty ? .ok : .attention
        }
    }

    /// ANSI colours for the readable summary, or none.
    struct Colour {
        let enabled: Bool

        func red(_ text: String) -> String { paint(text, "31") }
        func yellow(_ text: String) -> String { paint(text, "33") }
        func green(_ text: String) -> String { paint(text, "32") }

        private func paint(_ text: String, _ code: String) -> String {
            enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
        }
    }

    private static func warnAboutMode(_ summary: StoreSummary, invocation: Invocation) {
        if summary.modeGrantsGroupOrOther {
            invocation.warn(
                "mode \(summary.fileMode) grants group or other access; noxtls refuses to load such a store (chmod 600 it)",
                subject: summary.file)
        }
    }

    static func render(_ summary: StoreSummary, tickets: [Ticket]?, colour: Colour = Colour(enabled: false)) -> String {
        func percent(_ part: Int, _ whole: Int) -> String {
            let tenths = whole == 0 ? 0 : part * 1000 / whole
            return "\(tenths / 10).\(tenths % 10)%"
        }
        func time(_ ms: UInt64?) -> String { ms.map(Timestamp.rfc3339) ?? "none" }

        var lines = ["\(summary.file):"]
        func add(_ label: String, _ value: String) {
            lines.append("  " + (label + ":").padding(to: 14) + value)
        }
        let readers = summary.seal == .standard ? colour.green(summary.readableBy) : colour.yellow(summary.readableBy)
        add("seal", "\(summary.seal.rawValue), readable by \(readers)")
        switch summary.seal {
        case .noxtls01:
            add("warning", colour.yellow("noxtls 0.2 and later cannot read this store; move it with 'rotate --seal standard' when the fleet runs 0.2"))
        case .standard:
            add("note", "noxtls 0.1.x cannot read this store")
        }
        add("payload", "version \(summary.payloadVersion), \(summary.payloadBytes) of \(summary.payloadLimitBytes) bytes (\(percent(summary.payloadBytes, summary.payloadLimitBytes)))")
        add("capacity", "\(summary.ticketCount) of \(summary.maxEntries) tickets (\(percent(summary.ticketCount, Int(summary.maxEntries))))")
        add("tickets", "\(summary.ticketCount) total, \(summary.consumed) consumed, \(summary.expired) expired, \(summary.live) live")
        add("clock", Timestamp.rfc3339(ms: summary.nowMs))
        add("issued", "earliest \(time(summary.earliestIssuedMs)), latest \(time(summary.latestIssuedMs))")
        if let next = summary.nextExpiryMs, let remaining = summary.nextExpiryInMs {
            add("next expiry", "\(Timestamp.rfc3339(ms: next)) (in \(Timestamp.duration(ms: remaining)))")
        } else {
            add("next expiry", summary.live > 0 ? "never: the live tickets outlast the u64 clock" : "none (no live tickets)")
        }
        add("early data", "allowed by \(summary.earlyDataAllowed) of \(summary.ticketCount) tickets")
        add("file", "mode \(summary.fileMode), owner \(summary.owner):\(summary.group)"
            + (summary.modeGrantsGroupOrOther ? colour.red(" (unsafe: noxtls refuses to load it)") : ""))
        if summary.droppedOnRead > 0 {
            add("dropped", "\(summary.droppedOnRead) oldest tickets past max_entries \(summary.maxEntries) were dropped on read, as noxtls drops them")
        }
        if !summary.leftoverTemporaryFiles.isEmpty {
            add("leftovers", "\(summary.leftoverTemporaryFiles.joined(separator: ", ")) from an interrupted ticketctl run; the next rewrite removes them")
        }
        for reason in summary.attention {
            add("attention", colour.red(reason))
        }
        for (index, ticket) in (tickets ?? []).enumerated() {
            lines.append(ticketLine(index: index, ticket, nowMs: summary.nowMs))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func ticketLine(index: Int, _ ticket: Ticket, nowMs: UInt64) -> String {
        let state = ticket.consumed ? "consumed" : ticket.isExpired(at: nowMs) ? "expired" : "live"
        return "  [\(index)] \(state) issued \(Timestamp.rfc3339(ms: ticket.issuedAtMs))"
            + " lifetime \(Timestamp.duration(ms: ticket.lifetimeMs))"
            + " early_data \(ticket.maxEarlyDataSize) identity \(Hex.encode(ticket.identity))"
    }
}
