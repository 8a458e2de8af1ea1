import TicketKit

/// One run of one command: its parsed arguments, environment and streams.
final class Invocation {
    let command: CommandSpec
    let arguments: ParsedArguments
    let environment: [String: String]
    let output: OutputSink
    let errors: OutputSink
    /// Per-file JSON objects, written as one array at the end of `forEachFile`.
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
        let ms: UInt64
        do {
            ms = try Timestamp.parse(text)
        } catch {
            throw UsageError(message: "--now: \(error)", command: command.name)
        }
        // Unix seconds of any date since 1973 read as milliseconds fall in
        // January 1970, which is almost never what was meant.
        if UInt64(text) != nil, ms > 0, ms < 100_000_000_000 {
            warn("--now \(text) is read as milliseconds (\(Timestamp.rfc3339(ms: ms))); for Unix seconds append 000")
        }
        return ms
    }

    /// Where a key comes from: its file option, its descriptor option, or
    /// else the file its environment variable names.
    func keySource(_ options: KeyOptions = Options.currentKey) throws -> KeySource {
        let path = arguments.value(options.file)
        if let number = arguments.value(options.descriptor) {
            guard path == nil else {
                throw UsageError(
                    message: "give --\(options.file.long) or --\(options.descriptor.long), not both",
                    command: command.name)
            }
            guard let fd = Int32(number), fd >= 0 else {
                throw UsageError(
                    message: "--\(options.descriptor.long) needs a file descriptor number, not '\(number)'",
                    command: command.name)
            }
            return .descriptor(fd)
        }
        let chosen = path ?? options.environmentVariable.flatMap { environment[$0] }
        guard let chosen, !chosen.isEmpty else {
            let fallback = options.environmentVariable.map { ", or set \($0)" } ?? ""
            throw UsageError(
                message: "no key given: use --\(options.file.long) PATH or --\(options.descriptor.long) N\(fallback)",
                command: command.name)
        }
        return chosen == "-" ? .standardInput : .file(chosen)
    }

    /// Reads and derives a key; a failure names the key's source. Warnings
    /// about how the key file is exposed go to stderr.
    func loadKey(from source: KeySource) throws -> StoreKey {
        do {
            let material = try source.read(
                warn: { warn($0, subject: source.displayName) },
                prompt: {
                    errors.write("ticketctl: key from \(source.displayName) (not echoed): ")
                    errors.flush()
                })
            return try StoreKey(material: material)
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
