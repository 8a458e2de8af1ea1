import Glibc

/// Holds back SIGINT, SIGTERM, SIGHUP and SIGQUIT while a store is being
/// replaced, so that a Ctrl-C lands after the temporary file is renamed or
/// removed, never between. SIGKILL cannot be held back; the next writer
/// removes what such a run left.
enum SignalGuard {
    static func deferringTermination<T>(_ body: () throws -> T) throws -> T {
        var blocked = sigset_t()
        var previous = sigset_t()
        sigemptyset(&blocked)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            sigaddset(&blocked, signal)
        }
        pthread_sigmask(SIG_BLOCK, &blocked, &previous)
        defer { pthread_sigmask(SIG_SETMASK, &previous, nil) }
        return try body()
    }
}
