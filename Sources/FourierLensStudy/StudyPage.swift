import FourierLens
import Foundation

/// The study's index.html: the question and the answer first (each task's findings and a table
/// of the numbers per analysis), the key charts, then links to every task's own report. It holds
/// nothing that depends on how or when the tasks ran, so any executor gives the same page.
public enum StudyPage {
    /// The answer's sentences, one per analysis that has one (the page's first paragraphs).
    public static func answers(spec: StudySpec, tasks: [StudyTask], directory: String) -> [String] {
        AnalysisSummary.all(spec: spec, tasks: tasks, directory: directory).compactMap(\.headline)
    }

    static func html(spec: StudySpec, tasks: [StudyTask], records: [String: TaskRecord], summaries: [AnalysisSummary]) -> String {
        var sections: [ReportPage.Section] = []
        let results = tasks.filter { !$0.isShard }
        if let question = spec.question { sections.append(.paragraph("Question: \(question)")) }
        if let description = spec.description { sections.append(.paragraph(description)) }
        sections.append(.heading("Answer"))
        for summary in summaries { if let headline = summary.headline { sections.append(.paragraph(headline)) } }
        for summary in summaries {
            let table = summary.table
            if !table.rows.isEmpty {
                sections.append(.table(caption: "\(summary.analysis.name) (\(summary.analysis.kind.rawValue))", header: table.header, rows: table.rows))
            }
        }
        if spec.findingsPerTask > 0 {
            var blocks: [(String, String)] = []
            for task in results {
                let findings = records[task.id]?.findings.prefix(spec.findingsPerTask) ?? []
                if !findings.isEmpty { blocks.append(("\(task.analysis): \(AnalysisSummary.label(task))", findings.joined(separator: "\n"))) }
            }
            if !blocks.isEmpty { sections.append(.preformatted(summary: "What each task printed (its first \(spec.findingsPerTask) lines)", blocks)) }
        }
        if spec.charts {
            let charts = summaries.flatMap(\.charts)
            if !charts.isEmpty { sections.append(.heading("Key charts")); sections += charts }
        }
        sections.append(.links(heading: "Each task's report", results.map { task in
            (StudyTask.folder(task.id) + "/index.html", task.id,
             "\(task.command) \(AnalysisSummary.label(task))" + (task.dependencies.isEmpty ? "" : " (merged from \(task.dependencies.count) shards)"))
        }))
        sections.append(.files([("study.json", "the manifest: every task's command line, inputs with their SHA-256, options, hash and timing")]))
        let dumps = spec.dumps.map { dump in
            dump.random.map { "\(dump.name) (random \($0 == "frequency-matched" ? "frequency-matched" : $0 + " matched") to \(dump.of!))" } ?? "\(dump.name) (\(dump.role): \((dump.path! as NSString).lastPathComponent))"
        }
        let shards = tasks.count - results.count
        let subtitle = "\(spec.analyses.count) analyses in \(results.count) tasks\(shards == 0 ? "" : " (and \(shards) shards merged into them)") over \(dumps.joined(separator: ", ")). Spec: \((spec.file as NSString).lastPathComponent)."
        return ReportPage(title: spec.title, subtitle: subtitle, sections: sections).html()
    }

    public static func write(spec: StudySpec, tasks: [StudyTask], records: [String: TaskRecord], directory: String,
                             figures: Bool = false) throws {
        let summaries = AnalysisSummary.all(spec: spec, tasks: tasks, directory: directory)
        let page = html(spec: spec, tasks: tasks, records: records, summaries: summaries)
        try writeCharts(spec: spec, summaries: summaries, directory: directory, figures: figures)
        try AtomicFile.write(Array(page.utf8), to: directory + "/index.html", replacing: true)
    }

    /// The study's own charts (drawn from several tasks) as charts/ID.svg, and with `figures`
    /// as PNG and PDF beside them, as every task writes its charts. The folder holds only these.
    static func writeCharts(spec: StudySpec, summaries: [AnalysisSummary], directory: String, figures: Bool) throws {
        let charts = spec.charts ? summaries.flatMap(\.ownCharts) : []
        let folder = directory + "/charts"
        try? FileManager.default.removeItem(atPath: folder)
        guard !charts.isEmpty else { return }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for case let .figure(id, svg, _) in charts {
            try AtomicFile.write(Array(svg.utf8), to: "\(folder)/\(id).svg", replacing: true)
        }
        if figures { try FigureExport.renderCharts(in: folder) }
    }
}
