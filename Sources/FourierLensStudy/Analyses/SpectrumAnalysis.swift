import FourierLens
import Foundation

/// `kind: spectrum`: the Fourier spectrum over the number axis of each dataset or layer.
enum SpectrumAnalysis: StudyAnalysis {
    static let name = "spectrum"
    static let keys = NumberMatrixAnalysis.keys

    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        try NumberMatrixAnalysis.inputs(of: analysis, path: path, at: at, planner: planner, metadata: metadata)
    }

    /// `spectrum DUMP --dataset PATH [--layer L] [--counts FILE]`.
    static func command(_ analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, input: StudyPlanner.Input,
                        options: [StudySpec.Option], spec: StudySpec) -> StudyPlanner.Command {
        let counts = NumberMatrixAnalysis.counts(dump, options: options, frequencyMatched: false)
        let arguments = [path, "--dataset", input.arguments[0]] + input.arguments.dropFirst() + counts.flatMap { ["--counts", $0] }
        return StudyPlanner.Command(arguments: arguments, inputs: [path] + counts, labels: [])
    }

    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "key-period share", "low share", "high share", "outliers", "strongest outliers", "key set by gap"],
         page.tasks.map { task in
             let s = page.outputs(task).summary(SpectrumReport.Summary.self)
             return [AnalysisSummary.label(task), formatted(s?.key_energy_fraction), formatted(s?.low_fraction), formatted(s?.high_fraction),
                     formatted(s?.outliers.count), strongestPeriods(s?.outliers), keySet(s.map { $0.key_set_gap })]
         })
    }

    static func keySet(_ set: SpectrumReport.Summary.KeySet??) -> String {
        guard let set = set ?? nil else { return "none" }
        let shown = set.frequencies.prefix(6).map { formatted($0) }.joined(separator: ", ")
        return "k ∈ {\(shown)\(set.frequencies.count > 6 ? ", …" : "")}: \(formatted(set.energy_fraction, digits: 3))"
    }

    static func headline(_ page: AnalysisSummary) -> String? {
        NumberMatrixAnalysis.headline(ownHeadline(page), page: page) { task in
            [(AnalysisSummary.label(task), page.outputs(task).summary(SpectrumReport.Summary.self))]
        }
    }

    static func ownHeadline(_ page: AnalysisSummary) -> String? {
        let name = page.analysis.name
        let rows = page.tasks.compactMap { task -> (StudyTask, Double, [SpectrumReport.Summary.Outlier])? in
            guard let s = page.outputs(task).summary(SpectrumReport.Summary.self), let key = jsonNumber(s.key_energy_fraction) else { return nil }
            return (task, key, s.outliers)
        }
        guard !rows.isEmpty else { return nil }
        if rows.count == 1 {
            let (task, key, outliers) = rows[0]
            return "\(name): in \(AnalysisSummary.label(task)) the key periods hold \(formatted(key, digits: 3)) of the energy at k ≥ 1; \(outliers.count) periodic frequencies stand out of the null (strongest \(strongestPeriods(outliers, limit: 3)))."
        }
        let best = rows.max { $0.1 < $1.1 }!
        return "\(name): over \(rows.count) inputs the key periods hold \(formatted(rows.map(\.1).min()!, digits: 3)) to \(formatted(rows.map(\.1).max()!, digits: 3)) of the energy at k ≥ 1 (most in \(AnalysisSummary.label(best.0))); frequencies stand out in \(rows.filter { !$0.2.isEmpty }.count) of them."
    }

    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section] {
        [layerSweep(page)].compactMap { $0 }
    }

    static func layerSweep(_ page: AnalysisSummary) -> ReportPage.Section? {
        NumberMatrixAnalysis.layerSweep(page, baselines: false) { task in [("", page.outputs(task).summary(SpectrumReport.Summary.self)?.key_energy_fraction)] }
    }

    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] { page.tasks.count == 1 ? ["spectrum.svg"] : [] }
}
