import FourierLens
import Foundation

/// study.json: what the study ran and from what — every task with its command line, inputs
/// (with their SHA-256), options, hash, who ran it, when and for how long, and whether this
/// run computed it or reused it.
struct StudyManifest: Encodable {
    struct Input: Encodable { var path: String; var sha256: String; var bytes: Int }
    struct DumpEntry: Encodable { var name: String; var role: String; var path: String?; var random: String?; var of: String?; var sha256: String? }
    struct Task: Encodable {
        var id: String, analysis: String, command: String, dump: String?
        var labels: [String: String]
        var arguments: [String]
        var commandLine: [String]
        var inputs: [Input]
        var dependencies: [String]
        var shard: Bool
        var hash: String
        var report: String
        var executor: String, host: String, started: String
        var seconds: Double
        var computedInThisRun: Bool
        enum CodingKeys: String, CodingKey {
            case id, analysis, command, dump, labels, arguments, inputs, dependencies, shard, hash, report, executor, host, started, seconds
            case commandLine = "command_line"
            case computedInThisRun = "computed_in_this_run"
        }
    }

    var study: String
    var question: String?
    var spec: String
    var specSHA256: String
    var tool = BuildIdentity.tool
    var versions: [String: String]
    var dumps: [DumpEntry]
    var tasks: [Task]
    var jobs: Int
    var memoryBudgetBytes: Int
    var wallSeconds: Double
    var tasksComputed: Int
    var tasksReused: Int

    enum CodingKeys: String, CodingKey {
        case study, question, spec, tool, versions, dumps, tasks, jobs
        case specSHA256 = "spec_sha256"
        case memoryBudgetBytes = "memory_budget_bytes"
        case wallSeconds = "wall_seconds"
        case tasksComputed = "tasks_computed"
        case tasksReused = "tasks_reused"
    }

    static func make(spec: StudySpec, specText: String, tasks: [StudyTask], outcomes: [String: StudyExecutor.Outcome],
                     hashes: ContentHash, jobs: Int, memoryBudget: Int, wallSeconds: Double, versions: [String: String]) throws -> StudyManifest {
        func input(_ path: String) throws -> Input {
            Input(path: path, sha256: try hashes.content(path), bytes: (try? StudyPlanner.bytes(path)) ?? 0)
        }
        let dumps = try spec.dumps.map { dump in
            DumpEntry(name: dump.name, role: dump.role, path: dump.path, random: dump.random, of: dump.of, sha256: try dump.path.map { try hashes.file($0) })
        }
        let entries = try tasks.map { task -> Task in
            let record = outcomes[task.id]!.record
            return Task(id: task.id, analysis: task.analysis, command: task.command, dump: task.dump, labels: task.labels,
                        arguments: task.arguments, commandLine: record.commandLine, inputs: try task.inputs.map(input),
                        dependencies: task.dependencies, shard: task.isShard, hash: task.hash,
                        report: StudyTask.folder(task.id) + "/index.html", executor: record.executor, host: record.host,
                        started: record.started, seconds: record.seconds, computedInThisRun: outcomes[task.id]!.computed)
        }
        let computed = entries.filter(\.computedInThisRun).count
        return StudyManifest(study: spec.title, question: spec.question, spec: spec.file, specSHA256: ContentHash.hex(specText),
                             versions: versions, dumps: dumps, tasks: entries, jobs: jobs, memoryBudgetBytes: memoryBudget,
                             wallSeconds: (wallSeconds * 1000).rounded() / 1000, tasksComputed: computed, tasksReused: entries.count - computed)
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(Array(try encoder.encode(self)) + [10], to: path, replacing: true)
    }
}
