import ArgumentParser
import FourierLens
import FourierLensStudy
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a study: the analyses of a spec (probes/NAME.yaml) as tasks, then one study page.",
        discussion: """
        Each task is one fourierlens command on one input; its report goes to DIR/tasks/<task>/. \
        Tasks already done with the same inputs and options are reused, so an interrupted or \
        edited study recomputes only what changed. Writes DIR/index.html and DIR/study.json. \
        See docs/STUDIES.md.
        """
    )

    @Argument(help: "The study spec (YAML).")
    var spec: String

    @Option(help: "The study directory (default: reports/<spec name>).")
    var out: String?

    @Flag(help: "Print the tasks and whether each is done, and run nothing.")
    var dryRun = false

    @Option(help: "Write the tasks (command lines, dependencies) as JSON to this file ('-': stdout) for another executor, and run nothing.")
    var tasksJSON: String?

    @Option(help: "Run only this task (another executor's worker); its dependencies must be done.")
    var task: String?

    @Option(help: "Name recorded as the task's executor with --task.")
    var executor = "local"

    @Option(help: "Tasks run at once (default: the number of cores).")
    var jobs: Int?

    @Option(help: "Memory the running tasks may hold together, in GiB (default: half the machine's memory).")
    var memory: Double?

    @Option(help: "The most tasks the spec may make; more is refused before any is expanded.")
    var maxTasks = StudyPlanner.defaultMaxTasks

    @Option(help: "Replace a dump's path: NAME=PATH (repeatable), e.g. to run a shipped study on your own dump.")
    var dump: [String] = []

    @Option(help: "Replace a model's folder: NAME=DIR (repeatable), for the spec's patch analyses.")
    var model: [String] = []

    @Option(help: "The Python that patch tasks run (default: FOURIERLENS_PYTHON, this checkout's .venv, python3).")
    var python: String?

    @Flag(help: "Run this spec in a study directory another spec made, deleting the task reports this one does not make; with --tasks-json, replace that file.")
    var force = false

    @Flag(help: "Also render each task's charts as PNG and PDF.")
    var figures = false

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func validate() throws {
        if let jobs, !(1...256).contains(jobs) { throw ValidationError("--jobs takes 1 to 256 tasks at once (found \(jobs))") }
        try MemoryOption.check(memory)
        if !(1...1_000_000).contains(maxTasks) { throw ValidationError("--max-tasks takes 1 to 1000000 tasks (found \(maxTasks))") }
        if [dryRun, tasksJSON != nil, task != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --dry-run, --tasks-json and --task")
        }
    }

    func run() throws {
        let name = ((spec as NSString).lastPathComponent as NSString).deletingPathExtension
        var study = StudyRun(specPath: spec, directory: out ?? "reports/\(name)", executable: Self.executablePath,
                             jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                             memoryBudget: memory.map(MemoryOption.bytes) ?? MemoryBudget.bytes,
                             figures: figures, quiet: quiet, dumpPaths: try namedPaths(dump, option: "dump", what: "a dump of the spec and the file to use"),
                             modelPaths: try namedPaths(model, option: "model", what: "a model of the spec and its folder"), validate: Self.complaint)
        study.maxTasks = maxTasks
        if let python { setenv("FOURIERLENS_PYTHON", python, 1) }
        study.implementationFolder = { _ in PatchCommand.packageFolder() }
        let plan = try study.plan()
        if dryRun { return printPlan(plan, study: study) }
        if let tasksJSON {
            let data = try study.tasksJSON(plan)
            if tasksJSON == "-" { FileHandle.standardOutput.write(data + Data("\n".utf8)) } else {
                try checkTasksJSON(tasksJSON, plan: plan)
                try AtomicFile.write(Array(data) + [10], to: tasksJSON, replacing: force)
            }
            return
        }
        if task == nil { try study.checkDeletions(plan, force: force) }
        if let task {
            let record = try study.runOne(plan, id: task, executorName: executor)
            if !quiet { print("task \(record.id): done (\(String(format: "%.1f", record.seconds)) s)") }
            return
        }
        let result = try study.run(plan)
        if !quiet {
            print("\(plan.tasks.count) tasks: \(result.computed) computed, \(result.reused) reused, \(String(format: "%.1f", result.seconds)) s")
            for answer in StudyPage.answers(spec: plan.spec, tasks: plan.tasks, directory: study.directory) { print("- " + answer) }
            print("study: \(study.directory)/index.html")
        }
    }

    /// --tasks-json FILE never replaces the spec, a dump or a model's file, nor without --force any file.
    func checkTasksJSON(_ path: String, plan: StudyRun.Plan) throws {
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let inputs = [plan.spec.file] + plan.spec.dumps.compactMap(\.path) + plan.spec.models.map(\.path)
        if let input = inputs.first(where: { target == URL(fileURLWithPath: $0).resolvingSymlinksInPath().path || target.hasPrefix(URL(fileURLWithPath: $0).resolvingSymlinksInPath().path + "/") }) {
            throw ValidationError("--tasks-json would overwrite the study's own input \(input); choose another file")
        }
        if !force && FileManager.default.fileExists(atPath: path) {
            throw ValidationError("--tasks-json: \(path) exists and is kept (pass --force to replace it)")
        }
    }

    /// --dump NAME=PATH or --model NAME=DIR, as given (a relative path is the working directory's).
    func namedPaths(_ entries: [String], option: String, what: String) throws -> [String: String] {
        var paths: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--\(option) takes NAME=PATH, \(what) (found \(entry))")
            }
            guard paths[parts[0]] == nil else { throw ValidationError("--\(option) names \(parts[0]) twice") }
            paths[parts[0]] = URL(fileURLWithPath: parts[1]).standardizedFileURL.path
        }
        return paths
    }

    func printPlan(_ plan: StudyRun.Plan, study: StudyRun) {
        print("study \"\(plan.spec.title)\": \(plan.tasks.count) tasks into \(study.directory)")
        for task in plan.tasks {
            let state = TaskRecord.isDone(task, in: study.directory) ? "done   " : "to run "
            let line = task.commandLine(executable: "fourierlens", studyDirectory: study.directory, figures: study.figures)
            print("\(state) \(task.id)\n        \(line.joined(separator: " "))")
        }
    }

    /// This program's own path: the tasks run the same binary.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    /// A task's command line parsed as `fourierlens` parses it (options and their validate()).
    static func complaint(_ commandLine: [String]) -> String? {
        do {
            _ = try FourierLensCommand.parseAsRoot(commandLine)
            return nil
        } catch {
            return oneLine(FourierLensCommand.fullMessage(for: error))
        }
    }
}
