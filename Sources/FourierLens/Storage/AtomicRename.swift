import Foundation

/// Linux's renameat2(2): a rename that refuses to replace (`noReplace`) or that swaps two
/// paths in one step (`exchange`), so that no moment exists without a report. glibc has it
/// since 2.28 but Swift's Glibc module does not import it, so it is looked up by name.
enum AtomicRename {
    enum Mode: UInt32 { case noReplace = 1, exchange = 2 }  // RENAME_NOREPLACE, RENAME_EXCHANGE

    private typealias Function = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    private static let function: Function? = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "renameat2") else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }()

    /// 0 on success, otherwise errno (EINVAL when the file system or the C library lacks the mode).
    static func rename(_ from: String, _ to: String, _ mode: Mode) -> Int32 {
        guard let function else { return EINVAL }
        let atCurrentDirectory: Int32 = -100  // AT_FDCWD
        return function(atCurrentDirectory, from, atCurrentDirectory, to, mode.rawValue) == 0 ? 0 : errno
    }
}
