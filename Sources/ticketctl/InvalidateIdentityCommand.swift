import TicketKit

enum InvalidateIdentityCommand {
    static let identity = OptionSpec(
        long: "identity", short: "i", valueName: "HEX", repeatable: true,
        help: "Drop every ticket with this identity, given as hex. Repeatable.")
    static let identityText = OptionSpec(
        long: "identity-text", valueName: "TEXT", repeatable: true,
        help: "Drop every ticket whose identity is these UTF-8 bytes. Repeatable.")

    static let spec = CommandSpec(
        name: "invalidate-identity",
        summary: "Drop every ticket with the given identities, and write the store back.",
        discussion: """
            Revokes resumption for the given ticket identities: every ticket whose \
            identity equals one of them byte for byte is removed, consumed or not. \
            The rest keep their order.
            """,
        options: [identity, identityText] + Options.writing, writes: true,
        requiredSynopsis: "(--identity HEX | --identity-text TEXT)...",
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        var identities: [[UInt8]] = []
        for hex in invocation.arguments.all(identity) {
            guard let bytes = Hex.decode(hex) else {
                throw UsageError(message: "--identity '\(hex)' is not hex (an even number of 0-9, a-f)", command: spec.name)
            }
            identities.append(bytes)
        }
        identities += invocation.arguments.all(identityText).map { Array($0.utf8) }
        guard !identities.isEmpty else {
            throw UsageError(message: "give at least one --identity HEX or --identity-text TEXT", command: spec.name)
        }
        let key = try invocation.loadKey(from: try invocation.keySource())
        return try StoreEditing(invocation: invocation, edit: { $0.invalidate(identities: identities) })
            .run(key: key)
    }
}
