import Foundation

/// One analysis on one input: a `fourierlens` command line whose report goes to
/// `tasks/<id>/` of the study directory. The hash keys its output: the command, its options
/// and the content of every file it reads (a merge: the hashes of its shards).
public struct StudyTask: Codable, Sendable, Equatable {
    /// Unique in the study, readable, the report folder's name: "spectrum.minilm.blocks.3.hook_resid_post".
    public var id: String
    public var analysis: String
    /// The command: spectrum, compare, probe, lens, filter, boolean or merge.
    public var command: String
    public var dump: String?
    /// What distinguishes it from the analysis's other tasks, for the page's tables:
    /// dataset, site, layer, the grid's options, shard.
    public var labels: [String: String]
    /// The labels' keys in the order the spec wrote them (the grid's first option first).
    public var labelOrder: [String]
    /// The command's arguments after its name, without --out, --force, --quiet and --no-figures.
    /// "{task:ID}" stands for task ID's report folder.
    public var arguments: [String]
    /// The files it reads.
    public var inputs: [String]
    /// Tasks that must be done first (a merge's shards).
    public var dependencies: [String]
    public var hash: String
    /// Bytes it may hold at once, for the runner's memory budget.
    public var memoryEstimate: Int
    /// A shard, whose report is an input of a merge rather than a result of the study.
    public var isShard: Bool

    /// The report folder inside the study directory.
    public static func folder(_ id: String) -> String { "tasks/\(id)" }

    /// The whole command line, run from anywhere, writing into `studyDirectory`.
    public func commandLine(executable: String, studyDirectory: String, figures: Bool) -> [String] {
        let resolved = arguments.map { argument -> String in
            guard argument.hasPrefix("{task:"), argument.hasSuffix("}") else { return argument }
            return studyDirectory + "/" + StudyTask.folder(String(argument.dropFirst(6).dropLast()))
        }
        var line = [executable, command] + resolved + ["--out", studyDirectory + "/" + StudyTask.folder(id), "--force"]
        if !figures && command != "merge" { line.append("--no-figures") }
        return line
    }
}
