import FourierLens
import Foundation

/// One kind of analysis a study spec names (`kind: lens`): everything that differs between
/// kinds lives in its conformance, one file each in Analyses/. The spec, the planner and the
/// page ask the kind; none of them switches on it. A new kind is a new conformance and a line in
/// `StudyAnalysisKind.registry`.
protocol StudyAnalysis: SendableMetatype {
    /// The spec's `kind:` value, which is also the `fourierlens` command its tasks run.
    static var name: String { get }

    // The spec.

    /// The entry keys it takes beyond kind, name, options and grid (a key in
    /// `StudySpec.kindKeys` that is not here is refused, naming why).
    static var keys: Set<String> { get }
    /// Why it refuses a key, where its own reason says more than "only the kinds that take it".
    static var refusalReasons: [String: String] { get }
    /// Whether `layers` alone (without `sites`) means something: the command takes --layers itself.
    static var layersWithoutSites: Bool { get }
    /// Checks of the entry beyond its keys (a key it needs).
    static func check(_ analysis: StudySpec.Analysis, at node: SpecNode) throws
    /// Checks of what the entry names elsewhere in the spec (a model, an earlier analysis).
    static func checkReferences(_ analysis: StudySpec.Analysis, index: Int, in spec: StudySpec) throws
    /// Whether its tasks run code outside this binary, whose files' hash joins their keys (patch: the Python package).
    static var runsOutsideBinary: Bool { get }

    // The plan.

    /// The inputs of the analysis on one dump: one task each, times the grid's combinations.
    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input]
    /// One task's command: its arguments before the options, the files it reads and its extra labels.
    static func command(_ analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, input: StudyPlanner.Input,
                        options: [StudySpec.Option], spec: StudySpec) -> StudyPlanner.Command
    /// Every task of the analysis (`earlier`: the tasks of the analyses before it).
    static func tasks(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, earlier: [StudyTask],
                      metadata: (String) throws -> Dump) throws -> [StudyTask]
    /// Its result tasks and all its tasks, counted without making them (`results`: earlier analyses' results).
    static func count(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, results: [String: Int],
                      metadata: (String) throws -> Dump) throws -> (results: Int, tasks: Int)

    // The page.

    /// The table of the numbers that answer the question, a row per task (or per row of its report).
    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]])
    /// One sentence that answers from the tasks' numbers.
    static func headline(_ page: AnalysisSummary) -> String?
    /// The charts drawn from several tasks' numbers (written to charts/ID.svg).
    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section]
    /// The task's own charts shown inline on the page (its report's file names).
    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String]
}

extension StudyAnalysis {
    /// Whether its prompts can be split into shards that `fourierlens merge` joins.
    static var shardable: Bool { keys.contains("shards") }

    static var refusalReasons: [String: String] { [:] }
    static var layersWithoutSites: Bool { false }
    static var runsOutsideBinary: Bool { false }
    static func check(_ analysis: StudySpec.Analysis, at node: SpecNode) throws {}
    static func checkReferences(_ analysis: StudySpec.Analysis, index: Int, in spec: StudySpec) throws {}

    /// One input: the whole dump.
    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        [StudyPlanner.Input(arguments: [], labels: [], idParts: [])]
    }

    static func command(_ analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, input: StudyPlanner.Input,
                        options: [StudySpec.Option], spec: StudySpec) -> StudyPlanner.Command {
        StudyPlanner.Command(arguments: [path] + input.arguments, inputs: [path], labels: [])
    }

    static func tasks(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, earlier: [StudyTask],
                      metadata: (String) throws -> Dump) throws -> [StudyTask] {
        try planner.tasksPerInput(analysis, at: at, metadata: metadata)
    }

    static func count(_ analysis: StudySpec.Analysis, at: String, planner: StudyPlanner, results: [String: Int],
                      metadata: (String) throws -> Dump) throws -> (results: Int, tasks: Int) {
        try planner.countPerInput(analysis, at: at, metadata: metadata)
    }

    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section] { [] }
    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] { [] }
}

/// An analysis's kind as the spec names it: a handle on its conformance.
public struct StudyAnalysisKind: Sendable, Hashable, CustomStringConvertible {
    /// Every kind a spec may name, in the order its complaints list them.
    static let registry: [any StudyAnalysis.Type] = [
        SpectrumAnalysis.self, CompareAnalysis.self, ProbeAnalysis.self, LensAnalysis.self,
        FilterAnalysis.self, BooleanAnalysis.self, PatchAnalysis.self,
    ]

    let type: any StudyAnalysis.Type

    init(_ type: any StudyAnalysis.Type) { self.type = type }

    public init?(rawValue: String) {
        guard let type = Self.registry.first(where: { $0.name == rawValue }) else { return nil }
        self.type = type
    }

    public static var allCases: [StudyAnalysisKind] { registry.map(StudyAnalysisKind.init) }

    public var rawValue: String { type.name }
    public var description: String { rawValue }
    public static func == (a: StudyAnalysisKind, b: StudyAnalysisKind) -> Bool { a.rawValue == b.rawValue }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
}
