import FourierLens
import Foundation

/// One analysis's share of the study page: a table with a row per task (the numbers that
/// answer the question, read from the task's report), a headline and its key charts, each
/// drawn by the analysis's kind (StudyAnalysis).
struct AnalysisSummary {
    let analysis: StudySpec.Analysis
    /// The analysis's result tasks (shards left out: their merge stands for them), in plan order.
    let tasks: [StudyTask]
    let directory: String
    /// Each task's outputs, each file read once for the whole page.
    private let outputsByTask: [String: TaskOutputs]

    init(analysis: StudySpec.Analysis, tasks: [StudyTask], directory: String) {
        self.analysis = analysis; self.tasks = tasks; self.directory = directory
        outputsByTask = Dictionary(tasks.map { ($0.id, TaskOutputs(folder: "\(directory)/\(StudyTask.folder($0.id))")) }, uniquingKeysWith: { first, _ in first })
    }

    func outputs(_ task: StudyTask) -> TaskOutputs {
        outputsByTask[task.id] ?? TaskOutputs(folder: "\(directory)/\(StudyTask.folder(task.id))")
    }

    /// One per analysis of the spec, over its result tasks (shards left out).
    static func all(spec: StudySpec, tasks: [StudyTask], directory: String) -> [AnalysisSummary] {
        let results = tasks.filter { !$0.isShard }
        return spec.analyses.map { analysis in
            AnalysisSummary(analysis: analysis, tasks: results.filter { $0.analysis == analysis.name }, directory: directory)
        }
    }

    /// "minilm · blocks.3.hook_resid_post · remove low": what tells the task apart.
    static func label(_ task: StudyTask) -> String {
        var parts = [task.dump ?? ""]
        if let dataset = task.labels["dataset"] { parts.append(StudyPlanner.shortName(dataset)) }
        if let site = task.labels["site"] { parts.append(task.labels["layer"].map { "\(site) layer \($0)" } ?? site) }
        if let against = task.labels["against"] { parts.append("vs \(against)") }
        let fixed: Set<String> = ["dataset", "site", "layer", "against", "shard", "merged_from"]
        let keys = task.labelOrder.filter { task.labels[$0] != nil } + task.labels.keys.sorted().filter { !task.labelOrder.contains($0) }
        for key in keys where !fixed.contains(key) { parts.append("\(key) \(task.labels[key]!)") }
        return parts.filter { !$0.isEmpty }.joined(separator: " · ")
    }

    var table: (header: [String], rows: [[String]]) { analysis.kind.type.table(self) }

    /// One sentence that answers from the tasks' numbers, at the top of the study page.
    var headline: String? { analysis.kind.type.headline(self) }

    /// The charts drawn here from several tasks' numbers (the study writes each to charts/ID.svg).
    var ownCharts: [ReportPage.Section] { analysis.kind.type.ownCharts(self) }

    /// Charts across the analysis's tasks (drawn here), then each task's own key chart: inline,
    /// so its hover values and legend toggles work on the study page, its caption linking to the
    /// task's report.
    var charts: [ReportPage.Section] {
        var sections = ownCharts
        for task in tasks where sections.count < 12 {
            let outputs = outputs(task)
            for file in analysis.kind.type.keyCharts(task, page: self) {
                let folder = StudyTask.folder(task.id)
                guard let svg = outputs.text(file) else { continue }
                sections.append(.linkedFigure(id: "\(task.id)-\(file.dropLast(4))", svg: svg, href: "\(folder)/index.html",
                                              caption: "\(Self.label(task)): \(file)", link: "the task's report"))
            }
        }
        return sections
    }
}
