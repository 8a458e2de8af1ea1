import TicketKit

/// The options that several commands share, declared once.
enum Options {
    static let help = OptionSpec(long: "help", short: "h", help: "Show help for this command and exit.")
    static let quiet = OptionSpec(
        long: "quiet", short: "q", help: "Print nothing but errors and requested output.")
    static let keyFile = OptionSpec(
        long: "key-file", valueName: "PATH", completion: .file,
        help: "Read the key material from PATH, exact bytes; '-' reads standard input. A key typed at a terminal is one line and does not echo. Default: the file named by TICKETCTL_KEY_FILE.")
    static let keyFD = OptionSpec(
        long: "key-fd", valueName: "N",
        help: "Read the key material from inherited file descriptor N to its end, exact bytes: for secret managers.")
    /// The options that name the key a store is opened with.
    static let currentKey = KeyOptions(file: keyFile, descriptor: keyFD, environmentVariable: "TICKETCTL_KEY_FILE")
    static let now = OptionSpec(
        long: "now", valueName: "WHEN",
        help: "The clock for expiry: Unix milliseconds or RFC 3339 (2025-12-03T22:13:20Z). Default: the current time.")
    static let json = OptionSpec(long: "json", help: "Write the result as JSON on standard output.")
    static let dryRun = OptionSpec(
        long: "dry-run", short: "n", help: "Report what would change; write nothing.")
    static let seal = OptionSpec(
        long: "seal", valueName: "SEAL", completion: .choices(SealKind.allCases.map(\.rawValue)),
        help: "Seal the rewritten store as 'standard' (noxtls 0.2+) or 'noxtls-0.1'. Default: the seal the store had.")
    static let wait = OptionSpec(
        long: "wait", valueName: "SECONDS",
        help: "Wait up to SECONDS for another ticketctl writer's lock. Default: fail at once with status 75.")
    static let backup = OptionSpec(
        long: "backup", help: "Keep the previous store as FILE.bak, with its mode and owner.")

    /// The options of every command that rewrites stores.
    static let writing = [keyFile, keyFD, now, dryRun, seal, wait, backup, json, quiet, help]
}

/// The two ways to name one key: a file (or '-'), or an inherited descriptor.
struct KeyOptions {
    let file: OptionSpec
    let descriptor: OptionSpec
    /// Names a key file when neither option is given.
    var environmentVariable: String?
}
