import FourierLens
import Foundation

/// One task's command running as a child process: its output to `logs/<id>.out` and `.err`,
/// its progress (when it reports one) to `logs/<id>.progress`; on success its record. A thread of
/// its own blocks in waitid until the child ends: nothing polls.
final class TaskProcess: @unchecked Sendable {
    let task: StudyTask
    let directory: String
    let commandLine: [String]
    private let started = Date()
    private let startedText = TaskRecord.now()
    /// Guards `pid` and `ended`: the child is reaped under it, so a signal sent under it
    /// never reaches another process that took its number.
    private let lock = NSLock()
    private var pid: pid_t = 0
    private var ended = false
    private var waitStatus: Int32 = 0

    var logPath: String { "\(directory)/logs/\(task.id)" }
    /// Where the command writes its bad input as JSON (TaskError): beside its logs, since its
    /// report folder is staged and swapped in whole, and a failed command leaves none.
    var errorPath: String { logPath + ".error.json" }

    init(_ task: StudyTask, directory: String, executable: String, figures: Bool) {
        self.task = task
        self.directory = directory
        commandLine = task.commandLine(executable: executable, studyDirectory: directory, figures: figures)
    }

    /// Starts the command; `done` is called once from another thread when it ends.
    /// The environment is passed on as it is: OpenBLAS sums in an order that depends on its
    /// thread count, so a task run with fewer threads would differ from the command in the last digit.
    func start(done: @escaping @Sendable (TaskProcess) -> Void) throws {
        try? FileManager.default.removeItem(atPath: TaskRecord.path(task.id, in: directory))
        try? FileManager.default.removeItem(atPath: logPath + ".progress")
        try? FileManager.default.removeItem(atPath: errorPath)
        var environment = ProcessInfo.processInfo.environment
        environment["FOURIERLENS_PROGRESS_FILE"] = logPath + ".progress"
        environment[TaskError.environmentKey] = errorPath
        // The child dies with this process (started from this thread, the executor's loop): see main.swift.
        environment["FOURIERLENS_TASK_PARENT"] = String(getpid())
        let child = try ChildProcess.spawn(commandLine, environment: environment.map { "\($0.key)=\($0.value)" },
                                           output: logPath + ".out", errors: logPath + ".err")
        lock.lock(); pid = child; lock.unlock()
        Thread.detachNewThread { [self] in
            ChildProcess.waitUntilExit(child)  // blocks; leaves the child unreaped
            lock.lock()
            waitStatus = ChildProcess.reap(child)
            ended = true
            lock.unlock()
            done(self)
        }
    }

    /// The exit code, or the signal that ended it.
    var status: Int32 { ChildProcess.exitCode(waitStatus) ?? ChildProcess.signal(waitStatus) ?? 0 }
    /// Ended by a signal.
    var interrupted: Bool { ChildProcess.signal(waitStatus) != nil }
    var seconds: Double { Date().timeIntervalSince(started) }

    /// The child's percentage, when it reported one.
    var progress: Int? {
        (try? String(contentsOfFile: logPath + ".progress", encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// The first line the command printed on stderr (its one-line complaint).
    var complaint: String {
        let text = (try? String(contentsOfFile: logPath + ".err", encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map(String.init)
        return lines.first { $0.hasPrefix("fourierlens: ") }.map { String($0.dropFirst("fourierlens: ".count)) }
            ?? lines.last ?? "exit status \(status)"
    }

    /// The command's bad input as it wrote it, when it did (exit code 2).
    var error: TaskError? { TaskError.read(errorPath) }

    /// After a success: the record that marks the task done.
    func record(executor: String) throws -> TaskRecord {
        let output = (try? String(contentsOfFile: logPath + ".out", encoding: .utf8)) ?? ""
        let record = TaskRecord(id: task.id, hash: task.hash, commandLine: commandLine, executor: executor,
                                host: TaskRecord.hostName, started: startedText, seconds: (seconds * 1000).rounded() / 1000,
                                findings: TaskRecord.findings(fromOutput: output))
        try record.write(in: directory)
        try? FileManager.default.removeItem(atPath: logPath + ".progress")
        return record
    }

    func interrupt() {
        lock.lock(); defer { lock.unlock() }
        if pid > 0 && !ended { kill(pid, SIGINT) }
    }
}
