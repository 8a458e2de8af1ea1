import Glibc

/// Guards against byte strings that a Swift `String` cannot hold. Swift
/// replaces invalid UTF-8 in arguments and the environment with U+FFFD, so a
/// file named in Latin-1 would silently become a different name, which
/// might exist. ticketctl refuses such names instead of opening the wrong
/// file.
enum RawArguments {
    /// What is wrong, or nil when every argument and the key variable are
    /// valid UTF-8.
    static func nonUTF8Problem() -> String? {
        for index in 1..<Int(CommandLine.argc) {
            guard let raw = CommandLine.unsafeArgv[index], String(validatingCString: raw) == nil else {
                continue
            }
            return "argument \(index) is not valid UTF-8; ticketctl takes only UTF-8 file names (rename the file, or reach it through a symlink with a UTF-8 name)"
        }
        if let raw = getenv("TICKETCTL_KEY_FILE"), String(validatingCString: raw) == nil {
            return "TICKETCTL_KEY_FILE is not valid UTF-8; ticketctl takes only UTF-8 file names"
        }
        return nil
    }
}
