import Glibc
import TicketKit

ProcessHardening.apply()
if let problem = RawArguments.nonUTF8Problem() {
    let errors = OutputSink(fd: STDERR_FILENO)
    errors.write("ticketctl: error: \(problem)\n")
    errors.flush()
    exit(ExitStatus.usage.rawValue)
}
let status = Ticketctl.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessHardening.environment(),
    output: OutputSink(fd: STDOUT_FILENO), errors: OutputSink(fd: STDERR_FILENO))
exit(status.rawValue)
