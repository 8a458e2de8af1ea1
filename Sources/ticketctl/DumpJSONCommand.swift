import TicketKit

enum DumpJSONCommand {
    static let lines = OptionSpec(
        long: "lines", help: "Write one JSON object per ticket per line (NDJSON) instead of one document.")

    static let spec = CommandSpec(
        name: "dump-json",
        summary: "Write a store's full contents as JSON on standard output.",
        discussion: """
            Writes one document with file, seal, payload_version, max_entries, \
            ticket_count, now_ms, dropped_on_read and tickets, in store order. Each \
            ticket has identity and ticket_nonce as lowercase hex, \
            obfuscated_ticket_age, age_add, issued_at_ms, lifetime_ms, \
            max_early_data_size, consumed, and expired at now_ms. Integers are exact \
            across their full u32 and u64 ranges. With --lines, each ticket is one line \
            with its index. The output holds ticket secrets: treat it like the store.
            """,
        options: [Options.keyFile, Options.keyFD, Options.now, lines, Options.help],
        operands: OperandSpec(name: "FILE", minimum: 1, maximum: 1),
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let nowMs = try invocation.nowMs()
        let key = try invocation.loadKey(from: try invocation.keySource())
        return invocation.forEachFile { path in
            let opened = try StoreFile.open(path, key: key)
            if invocation.arguments.has(lines) {
                StoreDump.writeLines(opened, nowMs: nowMs, to: invocation.output)
            } else {
                StoreDump.writeDocument(opened, nowMs: nowMs, to: invocation.output)
            }
            return .ok
        }
    }
}
