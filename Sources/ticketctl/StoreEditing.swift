import TicketKit

/// What a writing command did to one store, for the readable line and for
/// `--json`.
struct EditResult: Encodable {
    let file: String
    let sealBefore: SealKind
    let seal: SealKind
    let removed: TicketStore.Removal
    let ticketsBefore: Int
    let ticketsLeft: Int
    let rekeyed: Bool
    let changed: Bool
    let written: Bool
    let dryRun: Bool
    let backup: String?

    enum CodingKeys: String, CodingKey {
        case file, seal, removed, rekeyed, changed, written, backup
        case sealBefore = "seal_before"
        case ticketsBefore = "tickets_before"
        case ticketsLeft = "tickets_left"
        case dryRun = "dry_run"
    }
}

/// The shared driver of rotate, expire, invalidate-identity and re-key:
/// each supplies only its edit of the tickets and, for re-key, a new key.
struct StoreEditing {
    let invocation: Invocation
    /// Applied to the tickets as read; returns what it removed.
    let edit: (inout TicketStore) -> TicketStore.Removal
    /// The key to seal under, when it differs from the key that opened.
    var newKey: StoreKey? = nil

    func run(key: StoreKey) throws -> ExitStatus {
        let requestedSeal = try invocation.sealOption()
        let rewriter = try invocation.storeRewriter()

        return invocation.forEachFile { path in
            var removed = TicketStore.Removal()
            let outcome = try rewriter.rewrite(path, key: key) { opened in
                var store = opened.store
                removed = edit(&store)
                let seal = requestedSeal ?? opened.seal
                guard removed.total > 0 || seal != opened.seal || newKey != nil else {
                    return nil
                }
                return Replacement(store: store, seal: seal, key: newKey ?? key)
            }
            report(outcome, removed: removed, dryRun: rewriter.dryRun)
            return .ok
        }
    }

    private func report(_ outcome: RewriteOutcome, removed: TicketStore.Removal, dryRun: Bool) {
        if let result = invocation.reportRewrite(outcome, removed: removed, rekeyed: newKey != nil, dryRun: dryRun) {
            invocation.say(describe(result))
        }
    }

    private func describe(_ result: EditResult) -> String {
        let removed = result.removed
        var kinds: [String] = []
        if removed.consumed > 0 { kinds.append("\(removed.consumed) consumed") }
        if removed.expired > 0 { kinds.append("\(removed.expired) expired") }
        if removed.identity > 0 { kinds.append("\(removed.identity) by identity") }
        let what = removed.total == 0
            ? (result.rekeyed ? (result.dryRun ? "would re-key" : "re-keyed") : "nothing to remove")
            : "\(result.dryRun ? "would remove" : "removed") \(removed.total) (\(kinds.joined(separator: ", ")))"
        let state: String
        if !result.changed {
            state = "left untouched"
        } else if result.dryRun {
            state = "not written (dry run)"
        } else {
            state = "written, \(result.seal.rawValue) seal" + (result.backup.map { ", backup \($0)" } ?? "")
        }
        return "\(result.file): \(what), \(result.ticketsLeft) of \(result.ticketsBefore) tickets left; \(state)"
    }
}

extension Invocation {
    /// What every writing command says about a rewrite: warnings on stderr,
    /// and with `--json` the result object. Returns the result when the
    /// command is to print its own readable line instead.
    func reportRewrite(
        _ outcome: RewriteOutcome, removed: TicketStore.Removal, rekeyed: Bool, dryRun: Bool
    ) -> EditResult? {
        let opened = outcome.opened
        let result = EditResult(
            file: opened.path, sealBefore: opened.seal, seal: outcome.replacement?.seal ?? opened.seal,
            removed: removed, ticketsBefore: opened.store.tickets.count,
            ticketsLeft: outcome.replacement?.store.tickets.count ?? opened.store.tickets.count,
            rekeyed: rekeyed, changed: outcome.replacement != nil, written: outcome.written,
            dryRun: dryRun, backup: outcome.backupPath)

        for leftover in outcome.removedLeftovers {
            warn("removed \(leftover), left by an interrupted ticketctl run", subject: opened.path)
        }
        if opened.store.droppedOnRead > 0 {
            warn(
                "the file held \(opened.store.droppedOnRead) tickets past max_entries \(opened.store.maxEntries); they were dropped on read, as noxtls drops them",
                subject: opened.path)
        }
        if let refusal = outcome.wouldFail {
            warn("a real run would fail: \(refusal)", subject: opened.path)
        }
        if result.written && opened.status.grantsGroupOrOther {
            let mode = String(opened.status.permissions, radix: 8)
            let now = String(opened.status.permissions & 0o600, radix: 8)
            warn("mode 0\(mode) narrowed to 0\(now), as noxtls requires", subject: opened.path)
        }
        if result.seal != result.sealBefore && result.changed {
            warn(
                "\(dryRun ? "would change" : "changed") the seal from \(result.sealBefore.rawValue) to \(result.seal.rawValue): now readable by \(result.seal.readableBy)",
                subject: opened.path)
        }
        guard json else { return result }
        addJSON(result)
        return nil
    }
}
