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
}
