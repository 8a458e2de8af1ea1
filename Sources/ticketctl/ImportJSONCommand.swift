import FoundationEssentials
import Glibc
import TicketKit

enum ImportJSONCommand {
    static let input = OptionSpec(
        long: "input", valueName: "PATH", completion: .file,
        help: "Read the document from PATH instead of standard input.")
    static let seal = OptionSpec(
        long: "seal", valueName: "SEAL", completion: Options.seal.completion,
        help: "Seal the store as 'standard' (noxtls 0.2+) or 'noxtls-0.1'. Default: the seal the existing store has; for a new store, the document's seal field, else standard.")

    static let spec = CommandSpec(
        name: "import-json",
        summary: "Build or replace a store from a dump-json document.",
        discussion: """
            Reads one document in the schema dump-json writes (file, now_ms, \
            ticket_count, dropped_on_read, payload_version and each ticket's expired \
            are ignored) and makes FILE hold exactly its max_entries and tickets, in \
            order. An existing FILE is replaced through the same locked, verified \
            rewrite as rotate, and is left untouched when nothing differs; a missing \
            FILE is created as init creates it. So 'dump-json | jq ... | import-json' \
            edits a store. Bad JSON, a missing field, odd-length hex or a number out of \
            range exits 65 naming the field and the ticket index, and writes nothing.
            """,
        options: [input, Options.keyFile, Options.keyFD, seal, Options.dryRun, Options.backup, Options.wait, Options.json,
                  Options.quiet, Options.help],
        operands: OperandSpec(name: "FILE", minimum: 1, maximum: 1),
        writes: true,
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let keySource = try invocation.keySource()
        let inputPath = invocation.arguments.value(input)
        if keySource == .standardInput && (inputPath == nil || inputPath == "-") {
            throw UsageError(
                message: "the key and the document cannot both come from standard input; use --input PATH",
                command: spec.name)
        }
        let requestedSeal = try invocation.sealOption(seal)
        let rewriter = try invocation.storeRewriter()
        let key = try invocation.loadKey(from: keySource)
        let document = try readDocument(from: inputPath)
        let store: TicketStore
        do {
            store = try document.makeStore()
        } catch {
            throw SubjectError(subject: inputPath ?? "standard input", underlying: error)
        }

        return invocation.forEachFile { path in
            var status = stat()
            guard lstat(path, &status) == 0 else {
                let seal = requestedSeal ?? document.seal ?? .standard
                return try create(path, store: store, seal: seal, key: key, invocation: invocation)
            }
            let outcome = try rewriter.rewrite(path, key: key) { opened in
                let seal = requestedSeal ?? opened.seal
                let samePayload = try Payload.encode(opened.store) == Payload.encode(store)
                if samePayload && opened.store.payloadVersion == Payload.currentVersion && seal == opened.seal {
                    return nil
                }
                return Replacement(store: store, seal: seal, key: key)
            }
            report(outcome, dryRun: rewriter.dryRun, invocation: invocation)
            return .ok
        }
    }

    private static func create(
        _ path: String, store: TicketStore, seal: SealKind, key: StoreKey, invocation: Invocation
    ) throws -> ExitStatus {
        let dryRun = invocation.arguments.has(Options.dryRun)
        if !dryRun {
            try StoreCreation.create(path, store: store, seal: seal, key: key)
        }
        if invocation.json {
            var result = CreationResult(file: path, seal: seal, maxEntries: store.maxEntries, tickets: store.tickets.count)
            result.created = !dryRun
            invocation.addJSON(result)
        } else {
            let verb = dryRun ? "would create" : "created"
            invocation.say("\(path): \(verb) with \(store.tickets.count) ticket\(store.tickets.count == 1 ? "" : "s"), max_entries \(store.maxEntries), \(seal.rawValue) seal\(dryRun ? " (dry run)" : "")")
        }
        return .ok
    }

    private static func report(_ outcome: RewriteOutcome, dryRun: Bool, invocation: Invocation) {
        guard
            let result = invocation.reportRewrite(
                outcome, removed: TicketStore.Removal(), rekeyed: false, dryRun: dryRun)
        else { return }
        let state: String
        if !result.changed {
            state = "identical to the document; left untouched"
        } else if dryRun {
            state = "would be replaced (dry run)"
        } else {
            state = "replaced, \(result.seal.rawValue) seal" + (result.backup.map { ", backup \($0)" } ?? "")
        }
        invocation.say("\(result.file): \(result.ticketsBefore) tickets before, \(result.ticketsLeft) imported; \(state)")
    }

    private static func readDocument(from path: String?) throws -> StoreDocument {
        do {
            return try StoreDocument.read(path: path)
        } catch {
            throw SubjectError(subject: path.flatMap { $0 == "-" ? nil : $0 } ?? "standard input", underlying: error)
        }
    }
}
