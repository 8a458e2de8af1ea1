import TicketKit

extension Invocation {
    /// The seal `option` asks for, or nil when it was not given.
    func sealOption(_ option: OptionSpec = Options.seal) throws -> SealKind? {
        guard let text = arguments.value(option) else { return nil }
        guard let seal = SealKind(rawValue: text) else {
            let names = SealKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
            throw UsageError(message: "--\(option.long) must be \(names), not '\(text)'", command: command.name)
        }
        return seal
    }

    /// A week: longer than any writer holds a lock, short enough for the
    /// deadline to stay exact in milliseconds.
    static let longestWait: Double = 7 * 86_400

    /// A rewriter set up from the writing options: `--dry-run`, `--backup`
    /// and `--wait`, with the test seam passed through.
    func storeRewriter() throws -> StoreRewriter {
        var rewriter = StoreRewriter()
        rewriter.dryRun = arguments.has(Options.dryRun)
        rewriter.keepBackup = arguments.has(Options.backup)
        rewriter.injectFault = injectFault
        if let text = arguments.value(Options.wait) {
            guard let seconds = Double(text), seconds >= 0, seconds <= Self.longestWait else {
                throw UsageError(
                    message: "--wait needs a number of seconds from 0 to \(Int(Self.longestWait)), not '\(text)'",
                    command: command.name)
            }
            rewriter.waitSeconds = seconds
        }
        return rewriter
    }
}
