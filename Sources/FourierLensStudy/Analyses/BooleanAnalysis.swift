import FourierLens
import Foundation

/// `kind: boolean`: the Fourier expansion of the functions on bit strings a dump's boolean/ group measured.
enum BooleanAnalysis: StudyAnalysis {
    static let name = "boolean"
    static let keys: Set<String> = ["dumps"]
    static let refusalReasons = ["datasets": "it reads activations by sites and layers",
                                 "sites": "it reads the boolean/ group", "layers": "it reads the boolean/ group"]

    /// A row per function of each task (functions.csv).
    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        (["task", "function", "role", "average sensitivity", "mean degree", "mean square"],
         page.tasks.flatMap { task in
             page.outputs(task).csv("functions.csv").map { row in
                 [AnalysisSummary.label(task), row["function"] ?? "", row["role"] ?? "", formatted(row["average_sensitivity"]),
                  formatted(row["mean_degree"]), formatted(row["mean_square"])]
             }
         })
    }

    static func headline(_ page: AnalysisSummary) -> String? {
        var parts: [String] = []
        for task in page.tasks {
            for row in page.outputs(task).csv("functions.csv") where ["decision", "target"].contains(row["role"] ?? "") {
                parts.append("\(row["function"] ?? "") (\(row["role"] ?? "")) \(formatted(row["average_sensitivity"], digits: 3))")
            }
        }
        guard !parts.isEmpty else { return nil }
        return "\(page.analysis.name): average sensitivity of \(parts.joined(separator: "; "))."
    }

    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] { ["degrees.svg"].filter(page.outputs(task).exists) }
}
