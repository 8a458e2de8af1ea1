import FoundationEssentials
import Glibc

/// Conversions between the store's millisecond clock and RFC 3339 text.
public enum Timestamp {
    /// The current time in Unix epoch milliseconds.
    public static func nowMs() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1000 + UInt64(spec.tv_nsec) / 1_000_000
    }

    /// Parses `--now`: Unix milliseconds, or an RFC 3339 date-time such as
    /// `2025-12-03T22:13:20Z` or `2025-12-03T23:13:20.5+01:00`.
    public static func parse(_ text: String) throws -> UInt64 {
        if let ms = UInt64(text) {
            return ms
        }
        guard let date = try? Date(text, strategy: .iso8601) else {
            throw TicketError.invalidValue(
                "'\(text)' is neither Unix milliseconds nor an RFC 3339 time such as 2025-12-03T22:13:20Z")
        }
        let ms = (date.timeIntervalSince1970 * 1000).rounded()
        guard ms >= 0, ms < 1.8e19 else {
            throw TicketError.invalidValue("'\(text)' is before the Unix epoch or beyond the u64 clock")
        }
        return UInt64(ms)
    }

    /// RFC 3339 in UTC with milliseconds, computed in integers so no
    /// millisecond is lost to floating point. Years past 9999 are written
    /// with as many digits as they need.
    public static func rfc3339(ms: UInt64) -> String {
        var seconds = time_t(clamping: ms / 1000)
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else {
            return "@\(ms)ms"
        }
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
            + ".\(pad(Int32(ms % 1000), 3))Z"
    }

    /// A duration in the largest whole units that keep it readable: `2h 5m`.
    public static func duration(ms: UInt64) -> String {
        let seconds = ms / 1000
        let units: [(UInt64, String)] = [(86_400, "d"), (3_600, "h"), (60, "m"), (1, "s")]
        var parts: [String] = []
        var rest = seconds
        for (size, name) in units where rest >= size || (parts.isEmpty && size == 1) {
            parts.append("\(rest / size)\(name)")
            rest %= size
            if parts.count == 2 { break }
        }
        return parts.joined(separator: " ")
    }
}
