import FourierLens
import Foundation

/// `kind: lens`: the logit lens over the sites and layers it names, its prompts in shards if asked.
enum LensAnalysis: SitesAndLayersAnalysis {
    static let name = "lens"

    /// A row per layer and site of each task.
    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "layer", "site", "exact", "±10", "mean answer log-prob", "periods standing out"],
         page.tasks.flatMap { task in
             (page.outputs(task).summary(LensReport.Summary.self)?.rows ?? []).map { row in
                 [AnalysisSummary.label(task), formatted(row.layer), formatted(row.site), formatted(row.acc_exact),
                  formatted(row.acc_pm10), formatted(row.mean_answer_logprob), periods(row.top_periods, limit: 3)]
             }
         })
    }

    /// Per site, the exact accuracy from its first layer to its last; then what the prompts are read at.
    static func headline(_ page: AnalysisSummary) -> String? {
        var parts: [String] = []
        for task in page.tasks {
            let rows = page.outputs(task).summary(LensReport.Summary.self)?.rows ?? []
            let sites = rows.map(\.site).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            for site in sites {
                let own = rows.filter { $0.site == site }
                guard let first = own.first, let last = own.last else { continue }
                if own.count == 1 {
                    parts.append("\(site) \(formatted(first.acc_exact, digits: 3)) at layer \(formatted(first.layer))")
                } else {
                    parts.append("\(site) from \(formatted(first.acc_exact, digits: 3)) at layer \(formatted(first.layer)) to \(formatted(last.acc_exact, digits: 3)) at layer \(formatted(last.layer))")
                }
            }
        }
        guard !parts.isEmpty else { return nil }
        let note = page.tasks.lazy.compactMap { page.outputs($0).summary(LensReport.Summary.self)?.read_token_is_answer?.sentence }.first.map { " " + $0 } ?? ""
        let verb = parts.contains(where: { $0.contains(" from ") }) ? "goes" : "is"
        return "\(page.analysis.name): exact-answer accuracy through the unembedding \(verb) \(parts.joined(separator: "; ")).\(note)"
    }

    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] {
        page.outputs(task).files(withSuffix: ".svg").filter { $0.hasPrefix("lens_accuracy_") }
    }
}
