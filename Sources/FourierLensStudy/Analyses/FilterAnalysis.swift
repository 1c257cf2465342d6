import FourierLens
import Foundation

/// `kind: filter`: a band of frequencies removed from the activations of the sites and layers it
/// names, written as a dump that a patch analysis puts back into the model.
enum FilterAnalysis: SitesAndLayersAnalysis {
    static let name = "filter"

    /// A row per filtered readout of each task (filter_effect.csv).
    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "layer", "site", "removed", "rank", "accuracy before", "after", "logit energy after / before"],
         page.tasks.flatMap { task in
             page.outputs(task).csv("filter_effect.csv").map { row in
                 [AnalysisSummary.label(task), row["layer"] ?? "", row["site"] ?? "", row["removed"] ?? "", row["rank"] ?? "",
                  formatted(row["acc_before"]), formatted(row["acc_after"]), formatted(row["logit_energy_ratio"])]
             }
         })
    }

    static func headline(_ page: AnalysisSummary) -> String? {
        var parts: [String] = []
        let dumps = Set(page.tasks.compactMap(\.dump)).count
        for task in page.tasks {
            for row in page.outputs(task).csv("filter_effect.csv") {
                guard let before = row["acc_before"].flatMap(Double.init), let after = row["acc_after"].flatMap(Double.init) else { continue }
                parts.append("\(label(row, task: task, dump: dumps > 1, layer: true)): \(formatted(before, digits: 3)) → \(formatted(after, digits: 3))")
            }
        }
        guard !parts.isEmpty else { return nil }
        let shown = parts.prefix(6).joined(separator: "; ") + (parts.count > 6 ? "; … (the table below)" : "")
        return "\(page.analysis.name): accuracy through the unembedding before → after removing the band: \(shown)."
    }

    /// "mlp_out −high (with attn_out)": a filtered readout's short label: its site, the band, the
    /// other sites filtered in the same task, and its dump and layer when they vary.
    static func label(_ row: [String: String], task: StudyTask, dump: Bool, layer: Bool) -> String {
        let site = row["site"] ?? "", band = row["removed"] ?? ""
        let others = (task.labels["sites"] ?? "").split(separator: ",").map(String.init).filter { $0 != site }
        var label = "\(site)\(layer ? " layer \(row["layer"] ?? "")" : "") −\(band)"
        if !others.isEmpty { label += " (with \(others.joined(separator: ", ")))" }
        return dump ? "\(task.dump ?? "") · \(label)" : label
    }

    /// Accuracy before and after per task and site.
    static func ownCharts(_ page: AnalysisSummary) -> [ReportPage.Section] {
        var categories: [String] = [], before: [Double] = [], after: [Double] = []
        let dumps = Set(page.tasks.compactMap(\.dump)).count
        for task in page.tasks {
            let rows = page.outputs(task).csv("filter_effect.csv")
            let layers = Set(rows.compactMap { $0["layer"] }).count
            for row in rows {
                guard let b = row["acc_before"].flatMap(Double.init), let a = row["acc_after"].flatMap(Double.init) else { continue }
                categories.append(label(row, task: task, dump: dumps > 1, layer: layers > 1))
                before.append(b); after.append(a)
            }
        }
        guard !categories.isEmpty, categories.count <= 48 else { return [] }
        var chart = BarChart(title: "\(page.analysis.name): accuracy through the unembedding before and after filtering", yLabel: "accuracy",
                             categories: categories, series: [.init(name: "before", values: before), .init(name: "after", values: after)])
        chart.height = 460
        return [.figure(id: "filter-\(page.analysis.name)", svg: chart.svg(), caption: "Exact-answer accuracy of each filtered readout, before and after the band is removed.")]
    }
}
