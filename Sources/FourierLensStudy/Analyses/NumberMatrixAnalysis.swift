import FourierLens
import Foundation

/// What spectrum and compare share: each task reads one [numbers × d] matrix (a dataset, or a
/// layer at a site), may regress out the corpus counts, and their page sweeps the layers.
enum NumberMatrixAnalysis {
    static let keys: Set<String> = ["dumps", "datasets", "sites", "layers"]

    /// One input per dataset and per layer of each site; the embeddings when none is named.
    /// The first argument is the dataset's path, the rest choose within it (--layer).
    static func inputs(of analysis: StudySpec.Analysis, path: String, at: String, planner: StudyPlanner,
                       metadata: (String) throws -> Dump) throws -> [StudyPlanner.Input] {
        var inputs = (analysis.datasets ?? []).map(StudyPlanner.datasetPath).map {
            StudyPlanner.Input(arguments: [$0], labels: [("dataset", $0)], idParts: [StudyPlanner.shortName($0)])
        }
        for site in analysis.sites ?? [] {
            let roles = try metadata(path)
            for layer in try planner.layers(analysis, site: site, dump: roles, at: at) {
                let source = roles.activations[Site(rawValue: site)!]![layer]!
                var arguments = [source.path]
                if let stacked = source.stackedIndex { arguments += ["--layer", String(stacked)] }
                inputs.append(StudyPlanner.Input(arguments: arguments, labels: [("site", site), ("layer", String(layer))],
                                                 idParts: [Site(rawValue: site)!.hookName(layer: layer)]))
            }
        }
        return inputs.isEmpty ? [StudyPlanner.Input(arguments: ["/weights/W_E"], labels: [("dataset", "/weights/W_E")], idParts: ["W_E"])] : inputs
    }

    /// The counts file, only where a task reads it (other tasks' command lines stay as they were).
    static func counts(_ dump: StudySpec.DumpEntry, options: [StudySpec.Option], frequencyMatched: Bool) -> [String] {
        guard let counts = dump.counts,
              frequencyMatched || options.contains(where: { $0.flag == "control-frequency" && $0.value != "false" }) else { return [] }
        return [counts]
    }

    /// Spectra over layers: the key periods' share of the energy per layer, one line per dump
    /// and site (`sides`: a task's shares; with `baselines`, a pretrained side then its baseline, dashed).
    static func layerSweep(_ page: AnalysisSummary, baselines: Bool,
                           sides: (StudyTask) -> [(suffix: String, share: Double?)]) -> ReportPage.Section? {
        var lines: [String: [(Double, Double)]] = [:]
        var order: [String] = []
        func add(_ name: String, _ x: Double, _ y: Double?) {
            guard let y = jsonNumber(y) else { return }
            if lines[name] == nil { order.append(name) }
            lines[name, default: []].append((x, y))
        }
        for task in page.tasks {
            guard let layer = task.labels["layer"].flatMap(Double.init), let site = task.labels["site"] else { continue }
            let grid = task.labels.keys.sorted().filter { !["dataset", "site", "layer", "against"].contains($0) }.map { "\($0) \(task.labels[$0]!)" }
            let name = ([task.dump ?? "", site] + grid).joined(separator: " · ")
            for (suffix, share) in sides(task) { add(name + suffix, layer, share) }
        }
        guard lines.values.contains(where: { $0.count >= 2 }) else { return nil }
        let series = order.enumerated().map { index, name in
            LineChart.Series(name: name, x: lines[name]!.map(\.0), y: lines[name]!.map(\.1),
                             style: baselines && index % 2 == 1 ? .dashed : .line, color: baselines ? index / 2 : index)
        }
        let chart = LineChart(title: "\(page.analysis.name): key periods' share of the energy by layer", xLabel: "layer",
                              yLabel: "share of the energy at k ≥ 1", series: series)
        return .figure(id: "sweep-\(page.analysis.name)", svg: chart.svg(),
                       caption: "The share of the number-axis spectrum's energy at the key periods, per layer (each layer's own task; compare: the baseline dashed).")
    }

    /// The headline, followed by which key periods survive the frequency control, from the
    /// `frequency_control` of each side's summary (`sides`: a task's named spectra).
    static func headline(_ headline: String?, page: AnalysisSummary,
                         sides: (StudyTask) -> [(String, SpectrumReport.Summary?)]) -> String? {
        var parts: [String] = []
        for task in page.tasks {
            for (name, side) in sides(task) {
                guard let control = side?.frequency_control else { continue }
                let surviving = control.surviving_periods.map { "T=\(formatted($0, digits: 3))" }
                let before = jsonNumber(control.key_energy_before) ?? 0
                let after = jsonNumber(control.key_energy_after) ?? 0
                let explained = before > 0 ? 1 - after / before : 0
                parts.append("\(surviving.isEmpty ? "none" : surviving.joined(separator: ", ")) in \(name) (key-period energy \(formatted(before, digits: 3)) → \(formatted(after, digits: 3)); frequency explains \(formatted(explained, digits: 2)) of it and \(formatted(control.variance_explained, digits: 2)) of all the energy at k ≥ 1)")
            }
        }
        guard !parts.isEmpty else { return headline }
        let shown = parts.count > 4 ? parts.prefix(4) + ["… (\(parts.count - 4) more in the table)"] : parts[...]
        let control = "Which key periods survive the frequency control (each column regressed on a spline of log corpus count, the residual against the same null): " + shown.joined(separator: "; ") + "."
        return headline.map { $0 + " " + control } ?? control
    }
}
