import TicketKit

/// rotate and expire: the two clock-driven clean-ups.
enum RotateCommand {
    static let rotate = CommandSpec(
        name: "rotate",
        summary: "Drop consumed tickets, then expired ones, and write the store back.",
        discussion: """
            Removes every consumed ticket, then every ticket expired at the clock (its age, \
            floored at zero, exceeds its lifetime). The rest keep their order. A store \
            with nothing to remove is left untouched. This is the nightly job.
            """,
        options: Options.writing, writes: true,
        run: { try run($0) { store, nowMs in store.rotate(nowMs: nowMs) } })

    static let expire = CommandSpec(
        name: "expire",
        summary: "Drop expired tickets, consumed or not, and write the store back.",
        discussion: """
            Removes every ticket expired at the clock (its age, floored at zero, exceeds \
            its lifetime). Consumed tickets that have not expired stay. A store with \
            nothing to remove is left untouched.
            """,
        options: Options.writing, writes: true,
        run: { try run($0) { store, nowMs in store.expire(nowMs: nowMs) } })

    private static func run(
        _ invocation: Invocation, _ operation: @escaping (inout TicketStore, UInt64) -> TicketStore.Removal
    ) throws -> ExitStatus {
        let nowMs = try invocation.nowMs()
        let key = try invocation.loadKey(from: try invocation.keySource())
        return try StoreEditing(invocation: invocation, edit: { operation(&$0, nowMs) }).run(key: key)
    }
}
