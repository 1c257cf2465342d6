import FourierLens
import Foundation

/// Runs a study's tasks on this machine: as many at once as `jobs` allows and their memory
/// estimates fit in `memoryBudget` (one task alone may exceed it), each task once its
/// dependencies are done. Tasks whose records match are skipped: that is the resume.
public final class StudyExecutor: @unchecked Sendable {
    public struct Outcome: Sendable {
        public var record: TaskRecord
        /// Computed by this run (false: its earlier result was reused).
        public var computed: Bool
    }

    let tasks: [StudyTask]
    let directory: String
    let executable: String
    let jobs: Int
    let memoryBudget: Int
    let figures: Bool
    let display: StudyProgress
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)
    /// Holds each child from its start until it has ended and been reaped.
    private let alive = DispatchGroup()
    private var ended: [TaskProcess] = []
    private var running: [String: TaskProcess] = [:]
    /// Set on SIGINT/SIGTERM: the children it stopped are not failures, the process is ending.
    private var interrupting = false

    public init(tasks: [StudyTask], directory: String, executable: String, jobs: Int, memoryBudget: Int, figures: Bool, display: StudyProgress) {
        self.tasks = tasks; self.directory = directory; self.executable = executable
        self.jobs = max(1, jobs); self.memoryBudget = memoryBudget; self.figures = figures; self.display = display
    }

    /// Runs what is not done; returns every task's record. A task that fails stops new starts,
    /// lets the running ones finish, and is thrown (its own line, naming the task).
    public func run(failure describe: (StudyTask, Int32, String, TaskError?) -> FourierLensError) throws -> [String: Outcome] {
        for folder in ["tasks", "records", "logs"] {
            try StudyMarker.createFolder("\(directory)/\(folder)")
        }
        TemporaryPaths.onInterrupt { [self] in interruptAll() }
        var outcomes: [String: Outcome] = [:]
        var pending: [StudyTask] = []
        for task in tasks {
            if TaskRecord.isDone(task, in: directory), let record = TaskRecord.read(task.id, in: directory) {
                outcomes[task.id] = Outcome(record: record, computed: false)
            } else {
                pending.append(task)
            }
        }
        display.start(total: tasks.count, reused: outcomes.count)
        var memoryInUse = 0
        var failure: FourierLensError?
        while !pending.isEmpty || !runningSnapshot().isEmpty {
            // Start what fits, in plan order.
            if failure == nil {
                var index = 0
                while index < pending.count {
                    let task = pending[index]
                    let ready = task.dependencies.allSatisfy { outcomes[$0] != nil }
                    let count = runningSnapshot().count
                    let fits = count == 0 || (count < jobs && memoryInUse + task.memoryEstimate <= memoryBudget)
                    guard ready && fits && count < jobs else { index += 1; continue }
                    let child = TaskProcess(task, directory: directory, executable: executable, figures: figures)
                    lock.lock(); running[task.id] = child; lock.unlock()
                    alive.enter()
                    do {
                        try child.start { [self] child in
                            lock.lock(); ended.append(child); lock.unlock()
                            alive.leave()
                            finished.signal()
                        }
                    } catch {
                        alive.leave()
                        throw error
                    }
                    memoryInUse += task.memoryEstimate
                    pending.remove(at: index)
                }
            }
            if runningSnapshot().isEmpty {
                if failure != nil { break }
                guard pending.isEmpty else {
                    throw FourierLensError.internalFailure("tasks wait on dependencies that never finish: \(pending.map(\.id).joined(separator: ", "))")
                }
                break
            }
            // Blocks until a child ends; a progress line on a terminal is redrawn twice a second meanwhile.
            if display.redraws {
                if finished.wait(timeout: .now() + 0.5) == .timedOut {
                    display.show(running: runningSnapshot())
                    continue
                }
            } else {
                finished.wait()
            }
            lock.lock()
            let batch = ended; ended.removeAll()
            for child in batch { running[child.task.id] = nil }
            lock.unlock()
            lock.lock(); let ending = interrupting; lock.unlock()
            if ending { while true { pause() } }  // the signal handler ends the process
            for child in batch {
                memoryInUse -= child.task.memoryEstimate
                if child.status == 0 && !child.interrupted {
                    outcomes[child.task.id] = Outcome(record: try child.record(executor: "local"), computed: true)
                    display.finished(child.task, seconds: child.seconds)
                } else if failure == nil {
                    failure = describe(child.task, child.status, child.complaint, child.error)
                    display.failed(child.task)
                }
            }
        }
        display.end()
        if let failure { throw failure }
        return outcomes
    }

    private func runningSnapshot() -> [TaskProcess] {
        lock.lock(); defer { lock.unlock() }
        return running.values.sorted { $0.task.id < $1.task.id }
    }

    /// On SIGINT/SIGTERM: each running command is interrupted (it removes its own unfinished
    /// report) and waited for, briefly, before the study exits.
    private func interruptAll() {
        lock.lock(); interrupting = true; lock.unlock()
        for child in runningSnapshot() { child.interrupt() }
        _ = alive.wait(timeout: .now() + 5)
    }
}
