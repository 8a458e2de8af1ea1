import TicketKit

enum ReKeyCommand {
    static let newKeyFile = OptionSpec(
        long: "new-key-file", valueName: "PATH", completion: .file,
        help: "Read the new key material from PATH, exact bytes; '-' reads standard input.")

    static let spec = CommandSpec(
        name: "re-key",
        summary: "Open stores with the current key and seal them under a new one.",
        discussion: """
            Every ticket is kept. Afterwards only the new key opens the store. Deploy \
            the new key to the servers in the same step: a server holding the old key \
            can no longer load the store. A new key identical to the current one is \
            refused unless --seal changes the seal.
            """,
        options: [newKeyFile] + Options.writing, writes: true,
        requiredSynopsis: "--new-key-file PATH",
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let currentSource = try invocation.keySource()
        let newSource = try invocation.keySource(newKeyFile)
        if currentSource == .standardInput && newSource == .standardInput {
            throw UsageError(message: "only one of the keys can come from standard input", command: spec.name)
        }
        let key = try invocation.loadKey(from: currentSource)
        let newKey = try invocation.loadKey(from: newSource)
        if key.sameKey(as: newKey) && invocation.arguments.value(Options.seal) == nil {
            throw SubjectError(
                subject: newSource.displayName,
                underlying: TicketError.invalidValue("the new key is the same as the current key; nothing to do"))
        }
        return try StoreEditing(invocation: invocation, edit: { _ in TicketStore.Removal() }, newKey: newKey)
            .run(key: key)
    }
}
