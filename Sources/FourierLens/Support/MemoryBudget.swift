import Foundation

/// What one allocation may take: half the machine's physical memory. Sizes are checked
/// against it before allocating, so a file that declares 10¹² values, or an option asking for
/// 10⁹ draws, is refused with one line instead of a trap inside the allocator.
public enum MemoryBudget {
    public static let bytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        guard pages > 0, size > 0 else { return 1 << 32 }
        return saturatingProduct([pages, size]) / 2
    }()

    /// Whether `count` items of `bytesEach` bytes fit.
    public static func fits(_ count: Int, bytesEach: Int) -> Bool {
        count >= 0 && saturatingProduct([count, bytesEach]) <= bytes
    }

    /// "needs 4.0 TB, more than the 12.9 GB one allocation may take here".
    public static func shortfall(_ count: Int, bytesEach: Int) -> String {
        "needs \(byteCount(saturatingProduct([count, bytesEach]))), more than the \(byteCount(bytes)) one allocation may take here"
    }
}

/// a × b, or Int.max when it overflows.
public func saturatingMultiply(_ a: Int, _ b: Int) -> Int { saturatingProduct([a, b]) }
