import FourierLens
import Foundation

/// `kind: compare`: two spectra side by side, each dump's against a second dump or its random baseline.
enum CompareAnalysis: StudyAnalysis {
    static let name = "compare"
    static let keys = NumberMatrixAnalysis.keys.union(["against"])

    static func check(_ analysis: StudySpec.Analysis, at node: SpecNode) throws {
        if analysis.against == nil { throw node.error("\"against\": the dump (or random baseline) compare sets beside each dump") }
    }

    static func checkReferences(_ analysis: StudySpec.Analysis, index: Int, in spec: StudySpec) throws {
        let against = analysis.against!
        guard let dump = spec.dumps.first(where: { $0.name == against }) else {
            throw spec.error(at: analysis.line, "analyses[\(index)].against", "a dump named in dumps (found \"\(against)\")")
        }
        if let of = dump.of, let listed = analysis.dumps, listed.contains(where: { $0 != of }) {
            throw spec.error(at: analysis.line, "analyses[\(index)].against", "a random baseline of each dump compared (\"\(against)\" is matched to \"\(of)\")")
        }
    }

    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        try NumberMatrixAnalysis.inputs(of: analysis, path: path, at: at, planner: planner, metadata: metadata)
    }

    /// `compare DUMP:PATH (OTHER:PATH | --random KIND) [--layer L] [--counts FILE]`.
    static func command(_ analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, input: StudyPlanner.Input,
                        options: [StudySpec.Option], spec: StudySpec) -> StudyPlanner.Command {
        let dataset = input.arguments[0]
        let against = spec.dumps.first { $0.name == analysis.against }!
        var arguments = ["\(path):\(dataset)"], inputs = [path]
        if let random = against.random {
            arguments += ["--random", random]
        } else {
            arguments.append("\(against.path!):\(dataset)")
            inputs.append(against.path!)
        }
        arguments += input.arguments.dropFirst()
        let counts = NumberMatrixAnalysis.counts(dump, options: options, frequencyMatched: against.random == "frequency-matched")
        return StudyPlanner.Command(arguments: arguments + counts.flatMap { ["--counts", $0] }, inputs: inputs + counts, labels: [("against", against.name)])
    }

    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "key-period share A", "key-period share B", "outliers A", "outliers B", "strongest outliers A"],
         page.tasks.map { task in
             let s = page.outputs(task).summary(CompareReport.Summary.self)
             return [AnalysisSummary.label(task), formatted(s?.a.key_energy_fraction), formatted(s?.b.key_energy_fraction),
                     formatted(s?.a.outliers.count), formatted(s?.b.outliers.count), strongestPeriods(s?.a.outliers)]
         })
    }

    static func headline(_ page: AnalysisSummary) -> String? {
        NumberMatrixAnalysis.headline(ownHeadline(page), page: page) { task in
            let summary = page.outputs(task).summary(CompareReport.Summary.self)
            return [(task.dump ?? "A", summary?.a), (task.labels["against"] ?? "B", summary?.b)]
        }
    }

    static func ownHeadline(_ page: AnalysisSummary) -> String? {
        var a: [Double] = [], b: [Double] = [], outliersA = 0, outliersB = 0
        for task in page.tasks {
            guard let s = page.outputs(task).summary(CompareReport.Summary.self),
                  let ka = jsonNumber(s.a.key_energy_fraction), let kb = jsonNumber(s.b.key_energy_fraction) else { continue }
            a.append(ka); b.append(kb)
            if !s.a.outliers.isEmpty { outliersA += 1 }
            if !s.b.outliers.isEmpty { outliersB += 1 }
        }
        guard !a.isEmpty, let first = page.tasks.first else { return nil }
        func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }
        let against = first.labels["against"] ?? "B"
        let over = a.count == 1 ? "" : " (mean over \(a.count) inputs)"
        let ratio = mean(b) > 0 ? String(format: " (×%.2f)", mean(a) / mean(b)) : ""
        return "\(page.analysis.name): the key periods hold \(formatted(mean(a), digits: 3)) of the energy at k ≥ 1 in \(first.dump ?? "A") against \(formatted(mean(b), digits: 3)) in \(against)\(ratio)\(over); frequencies stand out of the null in \(outliersA) of \(a.count) inputs of \(first.dump ?? "A") and in \(outliersB) of \(a.count) of \(against)."
    }

    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section] {
        [layerSweep(page)].compactMap { $0 }
    }

    /// The pretrained side solid, its baseline dashed.
    static func layerSweep(_ page: AnalysisSummary) -> ReportPage.Section? {
        NumberMatrixAnalysis.layerSweep(page, baselines: true) { task in
            let summary = page.outputs(task).summary(CompareReport.Summary.self)
            return [("", summary?.a.key_energy_fraction), (" vs " + (task.labels["against"] ?? "B"), summary?.b.key_energy_fraction)]
        }
    }

    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] {
        page.tasks.count == 1 || layerSweep(page) == nil ? ["compare.svg"] : []
    }
}
