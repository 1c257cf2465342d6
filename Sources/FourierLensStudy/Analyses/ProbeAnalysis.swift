import FourierLens
import Foundation

/// `kind: probe`: linear probes of each dataset, or of every layer of a site in one task.
enum ProbeAnalysis: StudyAnalysis {
    static let name = "probe"
    static let keys: Set<String> = ["dumps", "datasets", "sites", "layers"]

    /// One input per dataset and one per site (its layers in one task); the embeddings when none is named.
    static func inputs(of analysis: StudySpec.Analysis, dump: StudySpec.DumpEntry, path: String, at: String,
                       planner: StudyPlanner, metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        var inputs = (analysis.datasets ?? []).map(StudyPlanner.datasetPath).map {
            StudyPlanner.Input(arguments: ["--dataset", $0], labels: [("dataset", $0)], idParts: [StudyPlanner.shortName($0)])
        }
        for site in analysis.sites ?? [] {
            let layers = try planner.layers(analysis, site: site, dump: try metadata(path), at: at)
            inputs.append(StudyPlanner.Input(arguments: ["--site", site, "--layers", layers.map(String.init).joined(separator: ",")],
                                             labels: [("site", site)], idParts: [site]))
        }
        return inputs.isEmpty ? [StudyPlanner.Input(arguments: [], labels: [("dataset", "/weights/W_E")], idParts: ["W_E"])] : inputs
    }

    /// A column per probe (the usual ones first), a row per source (dataset, or a layer at a site).
    static func table(_ page: AnalysisSummary) -> (header: [String], rows: [[String]]) {
        let probes = ["value", "mod2", "mod5", "mod10", "helix", "fourier"]
        var present = Set<String>()
        var perSource: [(String, [String: String])] = []
        var metrics: [String: String] = [:]
        for task in page.tasks {
            for source in page.outputs(task).summary(ProbeReport.Summary.self)?.sources ?? [] {
                var scores: [String: String] = [:]
                for score in source.scores {
                    scores[score.probe] = formatted(score.mean, digits: 3)
                    metrics[score.probe] = score.metric == "r2" ? "R²" : "accuracy"
                    present.insert(score.probe)
                }
                let input = source.layer.map { "\(source.site ?? "") layer \($0)" } ?? StudyPlanner.shortName(source.dataset ?? "")
                perSource.append(("\(task.dump ?? "") · \(input)", scores))
            }
        }
        let columns = probes.filter(present.contains) + present.subtracting(probes).sorted()
        return (["source"] + columns.map { "\($0) (\(metrics[$0]!))" }, perSource.map { label, scores in [label] + columns.map { scores[$0] ?? "" } })
    }

    static func headline(_ page: AnalysisSummary) -> String? {
        var best: [String: (score: Double, metric: String, source: String, chance: Double?)] = [:]
        var order: [String] = []
        for task in page.tasks {
            for source in page.outputs(task).summary(ProbeReport.Summary.self)?.sources ?? [] {
                let layer = source.layer.map { "layer \($0)" } ?? StudyPlanner.shortName(source.dataset ?? "")
                for score in source.scores {
                    let probe = score.probe
                    guard !probe.hasPrefix("helix_baseline"), !probe.hasPrefix("helix_ceiling"), let value = jsonNumber(score.mean) else { continue }
                    if best[probe] == nil { order.append(probe) }
                    if value > best[probe]?.score ?? -.infinity {
                        best[probe] = (value, score.metric == "r2" ? "R²" : "accuracy", layer, jsonNumber(score.chance))
                    }
                }
            }
        }
        guard !order.isEmpty else { return nil }
        // A best at or below chance is no finding: "fourier: none above chance (best R² −0.00594, layer 3)".
        let parts = order.map { probe -> String in
            let b = best[probe]!
            if let chance = b.chance, !(b.score > chance) {
                return "\(probe): none above chance (best \(b.metric) \(formatted(b.score, digits: 3)), \(b.source))"
            }
            return "\(probe) \(b.metric) \(formatted(b.score, digits: 3)) (\(b.source))"
        }
        return "\(page.analysis.name): the best held-out score of each probe: \(parts.joined(separator: ", "))."
    }

    static func keyCharts(_ task: StudyTask, page: AnalysisSummary) -> [String] {
        page.outputs(task).files(withSuffix: ".svg").filter { $0.hasPrefix("probes_") }
    }
}
