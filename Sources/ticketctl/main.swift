import Glibc
import TicketKit

ProcessHardening.apply()
let status = Ticketctl.run(
    Array(CommandLine.arguments.dropFirst()), environment: ProcessHardening.environment(),
    output: OutputSink(fd: STDOUT_FILENO), errors: OutputSink(fd: STDERR_FILENO))
exit(status.rawValue)
