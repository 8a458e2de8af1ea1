import Glibc

/// Thin wrappers over the POSIX calls the store files need. Each retries on
/// EINTR and turns failure into `TicketError.system` with the operation named.
enum FileSystem {
    static func check(_ result: Int32, _ operation: @autoclosure () -> String) throws {
        if result < 0 {
            throw TicketError.system(operation: operation(), errno: errno)
        }
    }

    static func retrying(_ call: () -> Int32) -> Int32 {
        while true {
            let result = call()
            if result >= 0 || errno != EINTR {
                return result
            }
        }
    }

    static func openDirectory(_ path: String) throws -> Int32 {
        let fd = retrying { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        try check(fd, "open directory \(path)")
        return fd
    }

    /// Opens a file for reading without blocking on a FIFO and without
    /// making a terminal our controlling one.
    static func openForReading(_ path: String, in directory: Int32 = AT_FDCWD, followLinks: Bool = true)
        throws -> Int32
    {
        let flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW)
        let fd = retrying { openat(directory, path, flags) }
        try check(fd, "open")
        return fd
    }

    static func status(of fd: Int32) throws -> FileStatus {
        var info = stat()
        try check(fstat(fd, &info), "stat")
        return FileStatus(info)
    }

    /// The status of `name` in `directory`, not following a final symlink.
    static func status(of name: String, in directory: Int32) throws -> FileStatus {
        var info = stat()
        try check(fstatat(directory, name, &info, AT_SYMLINK_NOFOLLOW), "stat")
        return FileStatus(info)
    }

    /// Reads exactly `count` bytes from the start of `fd`, or fewer if the
    /// file ends first.
    static func readAll(_ fd: Int32, count: Int) throws -> [UInt8] {
        var failure: TicketError?
        // Not zeroed first: only the bytes read are kept.
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { elements, initialized in
            let buffer = UnsafeMutableRawBufferPointer(elements)
            HugePages.advise(buffer)
            do {
                initialized = try read(fd, into: buffer, at: 0)
            } catch {
                failure = error as? TicketError
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Fills `buffer` from `fd` until it is full or the input ends, and
    /// returns how many bytes came. Reads at `offset` with `pread` when one
    /// is given; otherwise reads sequentially, waiting for a non-blocking
    /// pipe. With `delimiter`, stops right after the first such byte.
    static func read(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int? = nil,
        stoppingAfter delimiter: UInt8? = nil
    ) throws -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var total = 0
        while total < buffer.count {
            let got = offset.map { pread(fd, base + total, buffer.count - total, off_t($0 + total)) }
                ?? Glibc.read(fd, base + total, buffer.count - total)
            if got > 0 {
                total += got
                if let delimiter, buffer[total - 1] == delimiter { break }
            } else if got == 0 {
                break
            } else if errno == EAGAIN || errno == EWOULDBLOCK {
                var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = poll(&ready, 1, -1)
            } else if errno != EINTR {
                throw TicketError.system(operation: "read", errno: errno)
            }
        }
        return total
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write(fd, $0) }
    }

    /// Writes all of `buffer`, resuming after short writes and EINTR.
    static func write(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) throws {
        guard let base = buffer.baseAddress else { return }
        var written = 0
        while written < buffer.count {
            let result = Glibc.write(fd, base + written, buffer.count - written)
            if result >= 0 {
                written += result
            } else if errno != EINTR {
                throw TicketError.system(operation: "write", errno: errno)
            }
        }
    }

    static func fileType(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "regular file"
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "an unknown file type"
        }
    }

    static func userName(_ uid: uid_t) -> String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }

    static func groupName(_ gid: gid_t) -> String {
        guard let entry = getgrgid(gid), let name = entry.pointee.gr_name else { return String(gid) }
        return String(cString: name)
    }
}

/// What `stat` says about a file: enough to tell whether it is still the
/// file we read, and to give its replacement the same owner.
public struct FileStatus: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    public var linkCount: UInt64
    public var modified: timespec
    public var changed: timespec

    init(_ info: stat) {
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        mode = UInt32(info.st_mode)
        owner = UInt32(info.st_uid)
        group = UInt32(info.st_gid)
        linkCount = UInt64(info.st_nlink)
        modified = info.st_mtim
        changed = info.st_ctim
    }

    public var permissions: UInt32 { mode & 0o7777 }
    public var isRegularFile: Bool { mode & UInt32(S_IFMT) == UInt32(S_IFREG) }
    /// noxtls refuses to load a store whose mode grants group or other access.
    public var grantsGroupOrOther: Bool { mode & 0o077 != 0 }
    public var ownerName: String { FileSystem.userName(owner) }
    public var groupName: String { FileSystem.groupName(group) }
    var typeDescription: String { FileSystem.fileType(mode_t(mode)) }

    /// Same file, same contents as far as the kernel tells: device, inode,
    /// size, modification and change times.
    func isSameVersion(as other: FileStatus) -> Bool {
        device == other.device && inode == other.inode && size == other.size
            && modified.tv_sec == other.modified.tv_sec && modified.tv_nsec == other.modified.tv_nsec
            && changed.tv_sec == other.changed.tv_sec && changed.tv_nsec == other.changed.tv_nsec
    }

    public static func == (lhs: FileStatus, rhs: FileStatus) -> Bool {
        lhs.isSameVersion(as: rhs) && lhs.mode == rhs.mode && lhs.owner == rhs.owner
            && lhs.group == rhs.group && lhs.linkCount == rhs.linkCount
    }
}
