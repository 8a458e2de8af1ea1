import TicketKit

enum ReKeyCommand {
    static let newKeyFile = OptionSpec(
        long: "new-key-file", valueName: "PATH", completion: .file,
        help: "Read the new key material from PATH, exact bytes; '-' reads standard input.")
    static let newKeyFD = OptionSpec(
        long: "new-key-fd", valueName: "N",
        help: "Read the new key material from inherited file descriptor N to its end, exact bytes.")
    static let newKey = KeyOptions(file: newKeyFile, descriptor: newKeyFD)

    static let spec = CommandSpec(
        name: "re-key",
        summary: "Open stores with the current key and seal them under a new one.",
        discussion: """
            Every ticket is kept. Afterwards only the new key opens the store. Deploy \
            the new key to the servers in the same step: a server holding the old key \
            can no longer load the store. A new key identical to the current one is \
            refused unless --seal changes the seal, and so is an empty one. Every FILE \
            must be an existing regular file before either key is read.
            """,
        options: [newKeyFile, newKeyFD] + Options.writing, writes: true,
        requiredSynopsis: "--new-key-file PATH | --new-key-fd N",
        run: run)

    static func run(_ invocation: Invocation) throws -> ExitStatus {
        let currentSource = try invocation.keySource()
        let newSource = try invocation.keySource(newKey)
        if let stream = currentSource.streamDescriptor, stream == newSource.streamDescriptor {
            throw UsageError(
                message: "the current and the new key cannot both come from \(currentSource.displayName)",
                command: spec.name)
        }
        // A key on a pipe or descriptor can be read only once: find a
        // mistyped FILE before consuming it.
        let pathStatuses = invocation.operands.map { path in
            do {
                try StoreFile.checkReadable(path)
                return ExitStatus.ok
            } catch {
                return invocation.fail(error, subject: path)
            }
        }
        let worst = ExitStatus.worst(pathStatuses)
        guard worst == .ok else { return worst }

        let key = try invocation.loadKey(from: currentSource)
        let newKey = try invocation.loadKey(from: newSource)
        if key.sameKey(as: newKey) && invocation.arguments.value(Options.seal) == nil {
            throw SubjectError(
                subject: newSource.displayName,
                underlying: TicketError.invalidValue("the new key is the same as the current key; nothing to do"))
        }
        if newKey.endsInNewline {
            invocation.warn(
                "the new key ends in a newline byte, which is part of the key; servers must read it the same way",
                subject: newSource.displayName)
        }
        return try StoreEditing(invocation: invocation, edit: { _ in TicketStore.Removal() }, newKey: newKey)
            .run(key: key)
    }
}
