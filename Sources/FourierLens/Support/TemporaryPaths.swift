import Foundation

/// The hidden paths a run writes before it commits (staging directories, temporary files).
/// They are removed when the run is interrupted (SIGINT, SIGTERM), and a later run beside them
/// removes those whose process is gone (a crash, a kill -9).
public enum TemporaryPaths {
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var live: Set<String> = []
    nonisolated(unsafe) private static var signalSources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var interruptHandlers: [@Sendable () -> Void] = []

    /// Runs `body` on SIGINT or SIGTERM before the temporary paths are removed (a study stops
    /// the commands it started, which remove their own).
    public static func onInterrupt(_ body: @escaping @Sendable () -> Void) {
        lock.lock(); defer { lock.unlock() }
        interruptHandlers.append(body)
    }

    static func register(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        live.insert(path)
    }

    static func unregister(_ path: String) {
        lock.lock(); defer { lock.unlock() }
        live.remove(path)
    }

    /// Runs `body` while no interruption can remove paths (a commit's renames).
    static func withoutInterruption<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }

    /// On SIGINT or SIGTERM: remove every live temporary path, then die of the same signal
    /// (so the shell sees the usual status). Call once, at program start.
    public static func removeOnInterrupt() {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                lock.lock()  // held until the process dies: no commit can start after this
                for handler in interruptHandlers { handler() }
                for path in live { try? FileManager.default.removeItem(atPath: path) }
                signal(sig, SIG_DFL)
                kill(getpid(), sig)
            }
            source.resume()
            signalSources.append(source)
        }
    }

    /// The pattern of every temporary name: `.NAME.staging-PID-RANDOM`, `.NAME.tmp-PID-RANDOM`
    /// or `.NAME.replaced-PID-RANDOM`.
    static func name(for target: String, kind: String) -> String {
        ".\(target).\(kind)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Removes temporary paths in `directory` left by processes that no longer exist.
    public static func removeStale(in directory: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for entry in entries where entry.hasPrefix(".") {
            guard let pid = ownerPID(of: entry), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(atPath: (directory as NSString).appendingPathComponent(entry))
        }
    }

    /// The process id in a temporary name, or nil for any other name.
    static func ownerPID(of entry: String) -> pid_t? {
        for kind in [".staging-", ".tmp-", ".replaced-"] {
            guard let range = entry.range(of: kind, options: .backwards) else { continue }
            let parts = entry[range.upperBound...].split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let pid = pid_t(parts[0]), pid > 0, UInt32(parts[1]) != nil else { return nil }
            return pid
        }
        return nil
    }
}
