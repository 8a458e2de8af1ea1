import Glibc
import TicketKit

/// The root command: finds the subcommand, parses its arguments, runs it,
/// and turns every failure into a message on stderr and an exit status.
enum Ticketctl {
    static let version = "0.1.0"

    static let commands: [CommandSpec] = [
        InspectCommand.spec, DumpJSONCommand.spec, RotateCommand.rotate, RotateCommand.expire,
        InvalidateIdentityCommand.spec, ReKeyCommand.spec, InitCommand.spec, ImportJSONCommand.spec,
        ManPage.spec, Completions.spec,
    ]

    static func command(named name: String) -> CommandSpec? {
        commands.first { $0.name == name }
    }

    static func run(
        _ arguments: [String], environment: [String: String], output: OutputSink, errors: OutputSink,
        injectFault: (@Sendable (RewriteStep) -> Int32)? = nil
    ) -> ExitStatus {
        var status = dispatch(
            arguments, environment: environment, output: output, errors: errors, injectFault: injectFault)
        output.flush()
        // A reader that stops early (`dump-json | head`) is not an error;
        // any other failure to write the results is.
        if let failure = output.failure, failure != EPIPE {
            errors.write("ticketctl: error: standard output: \(String(cString: strerror(failure)))\n")
            status = ExitStatus.worst([status, .ioError])
        }
        errors.flush()
        return status
    }

    private static func dispatch(
        _ arguments: [String], environment: [String: String], output: OutputSink, errors: OutputSink,
        injectFault: (@Sendable (RewriteStep) -> Int32)?
    ) -> ExitStatus {
        guard let name = arguments.first else {
            errors.write(Help.overview())
            return .usage
        }
        switch name {
        case "-h", "--help", "help":
            if arguments.count > 1, let command = command(named: arguments[1]) {
                output.write(Help.text(for: command))
            } else {
                output.write(Help.overview())
            }
            return .ok
        case "--version", "-V":
            output.write("ticketctl \(version)\n")
            return .ok
        default:
            break
        }
        guard let command = command(named: name) else {
            var message = "ticketctl: error: unknown command '\(name)'"
            if let suggestion = Suggestion.closest(to: name, among: commands.map(\.name)) {
                message += "; did you mean '\(suggestion)'?"
            }
            errors.write(message + "\nsee 'ticketctl --help'\n")
            return .usage
        }

        let parsed: ParsedArguments
        do {
            parsed = try ArgumentParser.parse(Array(arguments.dropFirst()), for: command)
        } catch {
            errors.write("ticketctl: error: \(error)\nsee 'ticketctl \(command.name) --help'\n")
            return .usage
        }
        if parsed.has(Options.help) {
            output.write(Help.text(for: command))
            return .ok
        }

        let invocation = Invocation(
            command: command, arguments: parsed, environment: environment, output: output, errors: errors)
        invocation.injectFault = injectFault
        do {
            if command.needsCrypto {
                try TicketKit.requireCrypto()
            }
            return try command.run(invocation)
        } catch let error as UsageError {
            errors.write("ticketctl: error: \(error)\nsee 'ticketctl \(command.name) --help'\n")
            return .usage
        } catch {
            return invocation.fail(error)
        }
    }
}
