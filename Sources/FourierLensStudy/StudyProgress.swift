import Foundation

/// The study's progress on stderr: on a terminal one line redrawn in place (tasks done, running
/// and left, and each running task's own percentage when it reports one); in a log one line per
/// finished task. Silent when quiet.
public final class StudyProgress: @unchecked Sendable {
    private let quiet: Bool
    private let terminal = isatty(STDERR_FILENO) != 0
    private var total = 0
    private var done = 0
    private var drawn = false

    public init(quiet: Bool) { self.quiet = quiet }

    /// Whether it draws a line that changes while tasks run (a terminal, not quiet).
    var redraws: Bool { !quiet && terminal }

    func start(total: Int, reused: Int) {
        self.total = total
        done = reused
        if reused > 0 { say("\(reused) of \(total) tasks already done (their inputs and options are unchanged): reused") }
    }

    func show(running: [TaskProcess]) {
        guard redraws else { return }
        let current = running.prefix(3).map { child in child.progress.map { "\(child.task.id) \($0)%" } ?? child.task.id }
        let more = running.count > 3 ? " …" : ""
        let line = "[\(done)/\(total) done, \(running.count) running, \(total - done - running.count) left] \(current.joined(separator: ", "))\(more)"
        FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        drawn = true
    }

    func finished(_ task: StudyTask, seconds: Double) {
        done += 1
        say("[\(done)/\(total)] \(task.id) (\(String(format: "%.1f", seconds)) s)")
    }

    func failed(_ task: StudyTask) { say("failed: \(task.id)") }

    func end() {
        if drawn && !quiet { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)); drawn = false }
    }

    private func say(_ line: String) {
        guard !quiet else { return }
        let prefix = drawn ? "\r\u{1B}[K" : ""
        drawn = false
        FileHandle.standardError.write(Data((prefix + line + "\n").utf8))
    }
}
