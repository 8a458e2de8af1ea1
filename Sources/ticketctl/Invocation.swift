import TicketKit

/// One run of one command: its parsed arguments, environment and streams.
final class Invocation {
    let command: CommandSpec
    let arguments: ParsedArguments
    let environment: [String: String]
    let output: OutputSink
    let errors: OutputSink
    /// Per-file JSON objects, written as one array by `finishJSON`.
    private var jsonItems: [String] = []
    /// Test seam for the rewrite path, passed to every `StoreRewriter`.
    var injectFault: (@Sendable (RewriteStep) -> Int32)?

    init(
        command: CommandSpec, arguments: ParsedArguments, environment: [String: String],
        output: OutputSink, errors: OutputSink
    ) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
        self.output = output
        self.errors = errors
    }

    var quiet: Bool { arguments.has(Options.quiet) }
    var json: Bool { arguments.has(Options.json) }
    var operands: [String] { arguments.operands }

    /// Prints `ticketctl: error: SUBJECT: message` and returns its status.
    @discardableResult
    func fail(_ error: Error, subject: String? = nil) -> ExitStatus {
        if let scoped = error as? SubjectError {
            return fail(scoped.underlying, subject: scoped.subject)
        }
        let prefix = subject.map { "\($0): " } ?? ""
        errors.write("ticketctl: error: \(prefix)\(error)\n")
        return (error as? TicketError)?.exitStatus ?? (error is UsageError ? .usage : .ioError)
    }

    func warn(_ message: String, subject: String? = nil) {
        let prefix = subject.map { "\($0): " } ?? ""
        errors.write("ticketctl: warning: \(prefix)\(message)\n")
    }

    /// Lines for the operator, suppressed by `--quiet`.
    func say(_ line: String) {
        if !quiet { output.write(line + "\n") }
    }

    /// The clock given by `--now`, or the current time.
    func nowMs() throws -> UInt64 {
        guard let text = arguments.value(Options.now) else { return Timestamp.nowMs() }
        do {
            return try Timestamp.parse(text)
        } catch {
            throw UsageError(message: "--now: \(error)", command: command.name)
        }
    }

    /// Where the current key comes from: `--key-file`, else the file named
    /// by `TICKETCTL_KEY_FILE`.
    func keySource(_ option: OptionSpec = Options.keyFile) throws -> KeySource {
        let path = arguments.value(option)
            ?? (option == Options.keyFile ? environment["TICKETCTL_KEY_FILE"] : nil)
        guard let path, !path.isEmpty else {
            throw UsageError(
                message: option == Options.keyFile
                    ? "no key given: use --key-file PATH, or set TICKETCTL_KEY_FILE"
                    : "--\(option.long) PATH is required",
                command: command.name)
        }
        return path == "-" ? .standardInput : .file(path)
    }

    /// Reads and derives a key; a failure names the key's source.
    func loadKey(from source: KeySource) throws -> StoreKey {
        do {
            return try StoreKey(material: try source.read())
        } catch {
            throw SubjectError(subject: source.displayName, underlying: error)
        }
    }

    /// Runs `body` on each FILE operand independently: a failure is reported
    /// against its file and the run goes on. Returns the worst status.
    func forEachFile(_ body: (String) throws -> ExitStatus) -> ExitStatus {
        var statuses: [ExitStatus] = []
        for path in operands {
            do {
                statuses.append(try body(path))
            } catch {
                let status = fail(error, subject: path)
                statuses.append(status)
                if json {
                    addJSON(FileFailure(file: path, error: String(describing: error), exitStatus: status.rawValue))
                }
            }
        }
        if json {
            output.write("[\n" + jsonItems.joined(separator: ",\n") + "\n]\n")
        }
        return ExitStatus.worst(statuses)
    }

    func addJSON<T: Encodable>(_ item: T) {
        jsonItems.append(JSONText.encode(item))
    }
}

/// A file that failed, in a JSON result array.
struct FileFailure: Encodable {
    let file: String
    let error: String
    let exitStatus: Int32

    enum CodingKeys: String, CodingKey {
        case file, error
        case exitStatus = "exit_status"
    }
}

/// An error that belongs to a named file, such as a key file.
struct SubjectError: Error, CustomStringConvertible {
    let subject: String
    let underlying: Error

    var description: String { "\(subject): \(underlying)" }
}
