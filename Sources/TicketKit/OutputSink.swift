import Glibc

/// A buffered byte stream to a file descriptor, or to memory for tests.
/// Large outputs such as dump-json are streamed through it in 64 KiB
/// chunks rather than built as one string.
public final class OutputSink: @unchecked Sendable {
    private let fd: Int32?
    private var buffer: [UInt8] = []
    private static let chunkSize = 64 * 1024
    /// Everything written, when the sink is in memory.
    public private(set) var captured: [UInt8] = []
    /// The first write error, after which output is discarded.
    public private(set) var failure: Int32?

    public init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(Self.chunkSize)
    }

    /// A sink that keeps its output in `captured`.
    public init() {
        fd = nil
    }

    public var text: String { String(decoding: captured, as: UTF8.self) }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(bytes: UnsafeRawBufferPointer($0)) }
    }

    public func write(bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.chunkSize {
            flush()
        }
    }

    public func write(byte: UInt8) {
        buffer.append(byte)
    }

    public func flush() {
        defer { buffer.removeAll(keepingCapacity: true) }
        guard let fd else {
            captured.append(contentsOf: buffer)
            return
        }
        guard failure == nil else { return }
        do {
            try buffer.withUnsafeBytes { try FileSystem.write(fd, $0) }
        } catch TicketError.system(_, let code) {
            failure = code
        } catch {
            failure = EIO
        }
    }

    deinit {
        flush()
    }
}
