import FoundationEssentials
import Glibc

/// Process-wide settings for a tool that holds secrets.
public enum ProcessHardening {
    /// No core dumps (they would hold keys and plaintext), and write errors
    /// on a closed pipe reported as EPIPE rather than killing the process.
    public static func apply() {
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none)
        signal(SIGPIPE, SIG_IGN)
    }

    public static func environment() -> [String: String] {
        ProcessInfo.processInfo.environment
    }
}

/// Fails with exit status 69 when libsodium cannot do AES-256-GCM here.
public func requireCrypto() throws {
    try Sodium.requireAES256GCM()
}
