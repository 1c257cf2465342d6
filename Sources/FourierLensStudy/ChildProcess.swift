import FourierLens
import Foundation

/// A child process started with posix_spawn and waited for by blocking calls (waitid, waitpid):
/// its standard input /dev/null, its output and errors to files, its signals as a new program's.
enum ChildProcess {
    /// Starts `commandLine` (its first element a path) from the calling thread; returns its pid.
    static func spawn(_ commandLine: [String], environment: [String], output: String, errors: String) throws -> pid_t {
        let out = try create(output)
        defer { close(out) }
        let err = try create(errors)
        defer { close(err) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, err, 2)
        // This process ignores SIGINT and SIGTERM (it handles them on a queue): the child starts
        // with every signal at its default and none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none); sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = commandLine.map { strdup($0) } + [nil], envp = environment.map { strdup($0) } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, commandLine[0], &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw FourierLensError.internalFailure("could not start \(commandLine[0]): \(String(cString: strerror(result)))")
        }
        return pid
    }

    /// Blocks until the child has ended, leaving it to be reaped (its pid stays its own till then).
    static func waitUntilExit(_ pid: pid_t) {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR {}
    }

    /// Reaps an ended child; returns its wait status.
    static func reap(_ pid: pid_t) -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    /// The exit code of a wait status, when the child exited.
    static func exitCode(_ status: Int32) -> Int32? { status & 0x7f == 0 ? (status >> 8) & 0xff : nil }

    /// The signal that ended the child, when one did.
    static func signal(_ status: Int32) -> Int32? {
        let signal = status & 0x7f
        return signal != 0 && signal != 0x7f ? signal : nil
    }

    /// A log file, truncated, not inherited by other children.
    static func create(_ path: String) throws -> Int32 {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FourierLensError.outputFailure(output: path, reason: "cannot create the task's log") }
        return descriptor
    }
}
