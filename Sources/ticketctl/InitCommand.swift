import TicketKit

enum InitCommand {
    static let maxEntries = OptionSpec(
        long: "max-entries", valueName: "N",
        help: "The store's capacity, 1 to 16384: noxtls keeps at most N tickets and drops the oldest past it.")
    static let seal = OptionSpec(
        long: "seal", valueName: "SEAL", completion: Options.seal.completion,
        help: "Seal the new store as 'standard' (noxtls 0.2+) or 'noxtls-0.1'. Default: standard.")

    static let spec = CommandSpec(
        name: "init",
        summary: "Create empty stores, mode 0600, sealed under the key.",
        discussion: """
            Creates each FILE as an empty store with capacity --max-entries. A FILE \
            that already exists, even as a dangling symlink, is never touched: init \
            fails for it with status 73. The store is written to a temporary file, \
            read back, and only then linked into place under its name.
            """,
        options: [maxEntries, Options.keyFile, Options.keyFD, seal, Options.json, Options.quiet, Options.help],
        requiredSynopsis: "--max-entries N",
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let capacity = try parseMaxEntries(invocation)
        let chosenSeal = try invocation.sealOption(seal) ?? .standard
        let key = try invocation.loadKey(from: try invocation.keySource())
        return invocation.forEachFile { path in
            try StoreCreation.create(path, store: TicketStore(maxEntries: capacity), seal: chosenSeal, key: key)
            let result = CreationResult(file: path, seal: chosenSeal, maxEntries: capacity, tickets: 0)
            if invocation.json {
                invocation.addJSON(result)
            } else {
                invocation.say("\(path): created, empty, max_entries \(capacity), \(chosenSeal.rawValue) seal (readable by \(chosenSeal.readableBy))")
            }
            return .ok
        }
    }

    private static func parseMaxEntries(_ invocation: Invocation) throws -> UInt32 {
        guard let text = invocation.arguments.value(maxEntries) else {
            throw UsageError(message: "--max-entries N is required", command: spec.name)
        }
        guard let value = UInt32(text), value >= 1, value <= UInt32(Payload.maximumEntries) else {
            throw UsageError(
                message: "--max-entries must be a whole number from 1 to \(Payload.maximumEntries), not '\(text)'",
                command: spec.name)
        }
        return value
    }
}

/// A store that init or import-json created, for `--json`.
struct CreationResult: Encodable {
    let file: String
    let seal: SealKind
    let maxEntries: UInt32
    let tickets: Int
    var created = true

    enum CodingKeys: String, CodingKey {
        case file, seal, tickets, created
        case maxEntries = "max_entries"
    }
}
