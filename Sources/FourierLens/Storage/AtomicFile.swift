import Foundation

/// Writes bytes to a path atomically: a hidden temporary file beside it, fsync, then one
/// rename. A failure (a full disk) removes the temporary file and names the target, not it.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String, replacing: Bool) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(TemporaryPaths.name(for: url.lastPathComponent, kind: "tmp")).path
        TemporaryPaths.register(temporary)
        defer { TemporaryPaths.unregister(temporary) }
        func fail(_ code: Int32) -> FourierLensError {
            unlink(temporary)
            return .outputFailure(output: path, reason: String(cString: strerror(code)))
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw fail(errno) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { let code = n < 0 ? errno : ENOSPC; close(fd); throw fail(code) }
            written += n
        }
        guard fsync(fd) == 0 else { let code = errno; close(fd); throw fail(code) }
        guard close(fd) == 0 else { throw fail(errno) }
        var status = replacing ? (rename(temporary, path) == 0 ? 0 : errno) : AtomicRename.rename(temporary, path, .noReplace)
        if status == EINVAL {  // no renameat2 here: link(2) refuses to replace as well
            status = link(temporary, path) == 0 ? 0 : errno
            if status == 0 { unlink(temporary) }
        }
        guard status == 0 else {
            if status == EEXIST {
                unlink(temporary)
                throw FourierLensError.badInput(file: path, dataset: "-", expected: "a new output file; one appeared there while this run was writing and is kept")
            }
            throw fail(status)
        }
    }
}
