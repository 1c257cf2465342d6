import FourierLens
import Foundation

/// `fourierlens run`: spec → tasks → the commands (here, or one at a time for another
/// executor) → the study page and manifest. The data flows one way; no analysis happens here.
public struct StudyRun {
    public var specPath: String
    public var directory: String
    public var executable: String
    public var jobs: Int
    public var memoryBudget: Int
    public var figures: Bool
    public var quiet: Bool
    /// Dumps whose path the command line replaces (--dump NAME=PATH).
    public var dumpPaths: [String: String]
    /// Models whose folder the command line replaces (--model NAME=DIR).
    public var modelPaths: [String: String]
    /// Parses a command line as `fourierlens` would; returns its complaint or nil.
    public var validate: ([String]) -> String?
    /// The folder of the code a command runs outside this binary (patch: the Python package), asked
    /// only when the spec has such an analysis; its files' hash joins those tasks' keys.
    public var implementationFolder: (String) -> String? = { _ in nil }
    /// The most tasks the spec may make (`--max-tasks`).
    public var maxTasks = StudyPlanner.defaultMaxTasks

    public init(specPath: String, directory: String, executable: String, jobs: Int, memoryBudget: Int, figures: Bool,
                quiet: Bool, dumpPaths: [String: String] = [:], modelPaths: [String: String] = [:], validate: @escaping ([String]) -> String?) {
        self.dumpPaths = dumpPaths
        self.modelPaths = modelPaths
        self.specPath = specPath
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.executable = executable; self.jobs = jobs; self.memoryBudget = memoryBudget
        self.figures = figures; self.quiet = quiet; self.validate = validate
    }

    public struct Plan {
        public var spec: StudySpec
        public var specText: String
        public var tasks: [StudyTask]
        public var hashes: ContentHash
    }

    public func plan() throws -> Plan {
        var spec = try StudySpec.load(specPath)
        for (name, path) in dumpPaths {
            guard let index = spec.dumps.firstIndex(where: { $0.name == name && $0.path != nil }) else {
                throw FourierLensError.badInput(file: specPath, dataset: "--dump \(name)",
                    expected: "a dump with a path in the spec (\(spec.dumps.filter { $0.path != nil }.map(\.name).joined(separator: ", ")))")
            }
            spec.dumps[index].path = path
        }
        for (name, path) in modelPaths {
            guard let index = spec.models.firstIndex(where: { $0.name == name }) else {
                throw FourierLensError.badInput(file: specPath, dataset: "--model \(name)",
                    expected: "a model of the spec (\(spec.models.isEmpty ? "it has none" : spec.models.map(\.name).joined(separator: ", ")))")
            }
            spec.models[index].path = path
        }
        let specText = (try? String(contentsOfFile: specPath, encoding: .utf8)) ?? ""
        try checkDirectory(spec)
        let hashes = ContentHash(cachePath: hashCachePath)
        var implementations: [String: String] = [:]
        for kind in Set(spec.analyses.map(\.kind)) where kind.type.runsOutsideBinary {
            if let folder = implementationFolder(kind.rawValue) { implementations[kind.rawValue] = try hashes.content(folder) }
        }
        let tasks = try StudyPlanner(spec: spec, hashes: hashes, implementations: implementations, maxTasks: maxTasks,
                                  validate: validate).tasks()
        return Plan(spec: spec, specText: specText, tasks: tasks, hashes: hashes)
    }

    /// The study directory is new, empty, or an earlier study's (resumed); anything else is
    /// someone's files and is refused, never written into. An earlier study is known by its
    /// marker (StudyMarker), written when its first run started; its own folders must be real
    /// folders, never symbolic links (a re-run deletes stale files in them).
    func checkDirectory(_ spec: StudySpec) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw FourierLensError.badInput(file: directory, dataset: "-", expected: "a study directory; a file of that name exists and is kept")
        }
        let all = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        guard !all.isEmpty else { return }
        guard StudyMarker.read(in: directory) != nil else {
            throw FourierLensError.badInput(file: directory, dataset: "-",
                expected: "a new or empty directory, or an earlier study's (with its \(StudyMarker.name)); it holds \(all.sorted().prefix(3).joined(separator: ", ")) and is kept")
        }
        let entries = all.filter { !$0.hasPrefix(".") }
        let ours: Set<String> = ["tasks", "records", "logs", "charts", "study.json", "index.html"]
        guard entries.allSatisfy(ours.contains) else {
            throw FourierLensError.badInput(file: directory, dataset: "-",
                expected: "a new or empty directory, or an earlier study's; it holds other files (\(entries.filter { !ours.contains($0) }.prefix(3).joined(separator: ", "))) and is kept")
        }
        for folder in ["tasks", "records", "logs", "charts"] where entries.contains(folder) {
            var status = stat()
            guard lstat(directory + "/" + folder, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else {
                throw FourierLensError.badInput(file: directory + "/" + folder, dataset: "-",
                    expected: "the study's own folder; it is a symbolic link or not a folder, and a study never deletes through it")
            }
        }
        for dump in spec.dumps {
            if let path = dump.path, URL(fileURLWithPath: path).standardizedFileURL.path.hasPrefix(directory + "/") {
                throw FourierLensError.badInput(file: directory, dataset: "-", expected: "a study directory that does not hold the study's dumps (\(path))")
            }
        }
    }

    /// A study made from another spec would lose the task reports this one does not make: refused
    /// unless `force` (the same spec, edited, drops the tasks it no longer has, as documented).
    public func checkDeletions(_ plan: Plan, force: Bool) throws {
        guard !force, let marker = StudyMarker.read(in: directory), marker.spec != StudyMarker.specPath(specPath) else { return }
        let ids = Set(plan.tasks.map(\.id))
        let lost = ((try? FileManager.default.contentsOfDirectory(atPath: directory + "/tasks")) ?? []).filter { !$0.hasPrefix(".") && !ids.contains($0) }
        guard lost.isEmpty else {
            throw FourierLensError.badInput(file: directory, dataset: "-",
                expected: "a study of this spec; it is \(marker.spec)'s, and running \(specPath) there would delete \(lost.count) task report\(lost.count == 1 ? "" : "s") (\(lost.sorted().prefix(2).joined(separator: ", "))…): pass --force to replace them, or choose another --out")
        }
    }

    /// Runs every task not done yet, then writes the page and the manifest.
    public func run(_ plan: Plan) throws -> (computed: Int, reused: Int, seconds: Double) {
        let clock = Date()
        try StudyMarker.createFolder(directory)
        let lock = try lockDirectory()
        try StudyMarker.write(spec: specPath, in: directory)
        defer { close(lock) }
        let executor = StudyExecutor(tasks: plan.tasks, directory: directory, executable: executable, jobs: jobs,
                                     memoryBudget: memoryBudget, figures: figures, display: StudyProgress(quiet: quiet))
        let outcomes = try executor.run { task, status, complaint, error in
            failure(task, status: status, complaint: complaint, error: error, spec: plan.spec)
        }
        let seconds = Date().timeIntervalSince(clock)
        try finish(plan, outcomes: outcomes, seconds: seconds)
        let computed = outcomes.values.filter(\.computed).count
        return (computed, outcomes.count - computed, seconds)
    }

    /// One whole run per study directory at a time (workers running single tasks do not lock):
    /// a second one would run the same tasks twice. The lock goes with the process.
    func lockDirectory() throws -> Int32 {
        let descriptor = open(directory + "/.study.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw FourierLensError.outputFailure(output: directory, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw FourierLensError.badInput(file: directory, dataset: "-", expected: "a study directory no other fourierlens run is using (one is running there now)")
        }
        return descriptor
    }

    /// Runs one task (for an executor elsewhere, such as a Dask worker): its dependencies must be done.
    public func runOne(_ plan: Plan, id: String, executorName: String) throws -> TaskRecord {
        guard let task = plan.tasks.first(where: { $0.id == id }) else {
            throw FourierLensError.badInput(file: specPath, dataset: "--task", expected: "a task of the study (found \"\(id)\"; see --dry-run)")
        }
        if TaskRecord.isDone(task, in: directory), let record = TaskRecord.read(id, in: directory) { return record }
        for dependency in task.dependencies {
            guard let other = plan.tasks.first(where: { $0.id == dependency }), TaskRecord.isDone(other, in: directory) else {
                throw FourierLensError.badInput(file: specPath, dataset: "--task \(id)", expected: "its dependency \(dependency) done first")
            }
        }
        try StudyMarker.createFolder(directory)
        if StudyMarker.read(in: directory) == nil { try StudyMarker.write(spec: specPath, in: directory) }
        for folder in ["tasks", "records", "logs"] {
            try StudyMarker.createFolder("\(directory)/\(folder)")
        }
        let child = TaskProcess(task, directory: directory, executable: executable, figures: figures)
        let done = DispatchSemaphore(value: 0)
        TemporaryPaths.onInterrupt { child.interrupt(); usleep(200_000) }
        try child.start { _ in done.signal() }
        done.wait()
        guard child.status == 0 && !child.interrupted else {
            throw failure(task, status: child.status, complaint: child.complaint, error: child.error, spec: plan.spec)
        }
        return try child.record(executor: executorName)
    }

    /// The page and manifest from the records, and stale outputs (of tasks no longer in the
    /// spec, or made from other inputs) removed from the study's own folders.
    /// Where the files' hashes are remembered between runs.
    var hashCachePath: String { directory + "/.content-hashes.json" }

    /// The plan's hashes (its files were read once, when it was made) serve the manifest too.
    public func finish(_ plan: Plan, outcomes: [String: StudyExecutor.Outcome], seconds: Double) throws {
        let hashes = plan.hashes
        let manifest = try StudyManifest.make(spec: plan.spec, specText: plan.specText, tasks: plan.tasks, outcomes: outcomes,
                                              hashes: hashes, jobs: jobs, memoryBudget: memoryBudget, wallSeconds: seconds,
                                              versions: LibraryVersions.all)
        hashes.save(to: hashCachePath)
        try StudyPage.write(spec: plan.spec, tasks: plan.tasks, records: outcomes.mapValues(\.record), directory: directory, figures: figures)
        try manifest.write(to: directory + "/study.json")
        removeStale(keeping: Set(plan.tasks.map(\.id)))
    }

    func removeStale(keeping ids: Set<String>) {
        let manager = FileManager.default
        // What killed tasks had staged (a runner or task killed with SIGKILL) is removed too.
        for folder in ["", "/tasks", "/records", "/logs"] { TemporaryPaths.removeStale(in: directory + folder) }
        for entry in (try? manager.contentsOfDirectory(atPath: directory + "/tasks")) ?? [] where !entry.hasPrefix(".") && !ids.contains(entry) {
            try? manager.removeItem(atPath: "\(directory)/tasks/\(entry)")
        }
        for entry in (try? manager.contentsOfDirectory(atPath: directory + "/records")) ?? [] where entry.hasSuffix(".json") {
            if !ids.contains(String(entry.dropLast(5))) { try? manager.removeItem(atPath: "\(directory)/records/\(entry)") }
        }
        for entry in (try? manager.contentsOfDirectory(atPath: directory + "/logs")) ?? [] {
            let id = (entry as NSString).deletingPathExtension
            if !ids.contains(id) { try? manager.removeItem(atPath: "\(directory)/logs/\(entry)") }
        }
    }

    /// A failed task's line: the task and its command's own complaint; a bad option found only
    /// when the command ran is named at its line in the spec: the option the command's error is
    /// about (TaskError), or, when it wrote none (a crash), the first of the analysis's options its line names.
    func failure(_ task: StudyTask, status: Int32, complaint: String, error: TaskError?, spec: StudySpec) -> FourierLensError {
        if status == 2, let index = spec.analyses.firstIndex(where: { $0.name == task.analysis }) {
            let analysis = spec.analyses[index]
            let options = analysis.options.map { ($0.flag, $0.line, "options") } + analysis.grid.map { ($0.flag, $0.line, "grid") }
            let named = if let error { options.first { "--\($0.0)" == error.option } } else { options.first { complaint.contains("--\($0.0)") } }
            if let (flag, line, section) = named {
                return .badInput(file: "\(spec.file):\(line)", dataset: "analyses[\(index)].\(section).\(flag)", expected: "a value task \(task.id) accepts: \(complaint)")
            }
        }
        if status == 2 {
            return .badInput(file: spec.file, dataset: "task \(task.id)", expected: "inputs the task accepts: \(complaint)")
        }
        // Not bad input: the task's own line says what failed (a full disk, a lost file); the
        // finished tasks are kept for the next run.
        return .taskFailure("task \(task.id) failed (exit status \(status)): \(complaint); its log: \(directory)/logs/\(task.id).err; the tasks done are kept: run again to resume")
    }

    /// For other executors: every task with its whole command line and dependencies.
    public func tasksJSON(_ plan: Plan) throws -> Data {
        struct Entry: Encodable {
            var id: String, command_line: [String], dependencies: [String], hash: String, memory_estimate: Int, shard: Bool, done: Bool
        }
        let entries = plan.tasks.map { task in
            Entry(id: task.id, command_line: task.commandLine(executable: executable, studyDirectory: directory, figures: figures),
                  dependencies: task.dependencies, hash: task.hash, memory_estimate: task.memoryEstimate, shard: task.isShard,
                  done: TaskRecord.isDone(task, in: directory))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(["study_directory": AnyEncodable(directory), "spec": AnyEncodable(specPath), "tasks": AnyEncodable(entries)])
    }
}

struct AnyEncodable: Encodable {
    let value: Encodable
    init(_ value: Encodable) { self.value = value }
    func encode(to encoder: Encoder) throws { try value.encode(to: encoder) }
}
