import Glibc

/// Transparent huge pages for the few multi-megabyte buffers of a rewrite.
///
/// A fresh 8 MiB buffer costs 2,048 page faults, each a trip into the
/// kernel to map and zero 4 KiB; a rotate of the largest store touches
/// four such buffers, and the faults were a fifth of its CPU time. Asking
/// for huge pages before the first write turns each 2 MiB stretch into
/// one fault. Debian's default (`madvise`) grants them only when asked.
enum HugePages {
    private static let hugePageSize = 2 * 1024 * 1024

    /// Advises the kernel to back the whole 2 MiB-aligned stretches of
    /// `buffer` with huge pages. Call it before writing to the buffer; it
    /// changes nothing that the program can observe, and a kernel without
    /// the feature just ignores it.
    static func advise(_ buffer: UnsafeMutableRawBufferPointer) {
        guard buffer.count >= 2 * hugePageSize, let base = buffer.baseAddress else { return }
        let start = (Int(bitPattern: base) + hugePageSize - 1) & ~(hugePageSize - 1)
        let end = (Int(bitPattern: base) + buffer.count) & ~(hugePageSize - 1)
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
    }
}
