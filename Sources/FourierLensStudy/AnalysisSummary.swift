import FourierLens
import Foundation

/// One analysis's share of the study page: a table with a row per task (the numbers that
/// answer the question, read from the task's report) and its key charts.
struct AnalysisSummary {
    let analysis: StudySpec.Analysis
    /// The analysis's result tasks (shards left out: their merge stands for them), in plan order.
    let tasks: [StudyTask]
    let directory: String

    func outputs(_ task: StudyTask) -> TaskOutputs { TaskOutputs(folder: "\(directory)/\(StudyTask.folder(task.id))") }

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

    var table: (header: [String], rows: [[String]]) {
        switch analysis.kind {
        case .spectrum:
            return (["task", "key-period share", "low share", "high share", "outliers", "strongest outliers", "key set by gap"],
                    tasks.map { task in
                        let s = outputs(task).summary(SpectrumReport.Summary.self)
                        return [Self.label(task), formatted(s?.key_energy_fraction), formatted(s?.low_fraction), formatted(s?.high_fraction),
                                formatted(s?.outliers.count), strongestPeriods(s?.outliers), keySet(s.map { $0.key_set_gap })]
                    })
        case .compare:
            return (["task", "key-period share A", "key-period share B", "outliers A", "outliers B", "strongest outliers A"],
                    tasks.map { task in
                        let s = outputs(task).summary(CompareReport.Summary.self)
                        return [Self.label(task), formatted(s?.a.key_energy_fraction), formatted(s?.b.key_energy_fraction),
                                formatted(s?.a.outliers.count), formatted(s?.b.outliers.count), strongestPeriods(s?.a.outliers)]
                    })
        case .probe:
            let probes = ["value", "mod2", "mod5", "mod10", "helix", "fourier"]
            var rows: [[String]] = []
            var present = Set<String>()
            var perSource: [(String, [String: String])] = []
            var metrics: [String: String] = [:]
            for task in tasks {
                for source in outputs(task).summary(ProbeReport.Summary.self)?.sources ?? [] {
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
            for (label, scores) in perSource { rows.append([label] + columns.map { scores[$0] ?? "" }) }
            return (["source"] + columns.map { "\($0) (\(metrics[$0]!))" }, rows)
        case .lens:
            return (["task", "layer", "site", "exact", "±10", "mean answer log-prob", "periods standing out"],
                    tasks.flatMap { task in
                        (outputs(task).summary(LensReport.Summary.self)?.rows ?? []).map { row in
                            [Self.label(task), formatted(row.layer), formatted(row.site), formatted(row.acc_exact),
                             formatted(row.acc_pm10), formatted(row.mean_answer_logprob), periods(row.top_periods, limit: 3)]
                        }
                    })
        case .filter:
            return (["task", "layer", "site", "removed", "rank", "accuracy before", "after", "logit energy after / before"],
                    tasks.flatMap { task in
                        outputs(task).csv("filter_effect.csv").map { row in
                            [Self.label(task), row["layer"] ?? "", row["site"] ?? "", row["removed"] ?? "", row["rank"] ?? "",
                             formatted(row["acc_before"]), formatted(row["acc_after"]), formatted(row["logit_energy_ratio"])]
                        }
                    })
        case .patch:
            return (["task", "patched sites", "layers", "removed", "accuracy unpatched", "patched", "loss unpatched", "patched",
                     "KL to unpatched", "direct readout after"],
                    tasks.flatMap { task in
                        patchRows(task).map { unpatched, row in
                            [Self.label(task), row["sites"] ?? "", row["layers"] ?? "", Self.removal(row), formatted(unpatched["acc_exact"]),
                             formatted(row["acc_exact"]), formatted(unpatched["mean_loss"]), formatted(row["mean_loss"]),
                             formatted(row["mean_kl"]), formatted(row["direct_acc_after"])]
                        }
                    })
        case .boolean:
            return (["task", "function", "role", "average sensitivity", "mean degree", "mean square"],
                    tasks.flatMap { task in
                        outputs(task).csv("functions.csv").map { row in
                            [Self.label(task), row["function"] ?? "", row["role"] ?? "", formatted(row["average_sensitivity"]),
                             formatted(row["mean_degree"]), formatted(row["mean_square"])]
                        }
                    })
        }
    }

    func keySet(_ set: SpectrumReport.Summary.KeySet??) -> String {
        guard let set = set ?? nil else { return "none" }
        let shown = set.frequencies.prefix(6).map { formatted($0) }.joined(separator: ", ")
        return "k ∈ {\(shown)\(set.frequencies.count > 6 ? ", …" : "")}: \(formatted(set.energy_fraction, digits: 3))"
    }

    /// Charts across the analysis's tasks (drawn here), then each task's own key chart: inline,
    /// so its hover values and legend toggles work on the study page, its caption linking to the
    /// task's report.
    var charts: [ReportPage.Section] {
        var sections = ownCharts
        for task in tasks where sections.count < 12 {
            let outputs = outputs(task)
            for file in keyCharts(task) {
                let folder = StudyTask.folder(task.id)
                guard let svg = outputs.text(file) else { continue }
                sections.append(.linkedFigure(id: "\(task.id)-\(file.dropLast(4))", svg: svg, href: "\(folder)/index.html",
                                              caption: "\(Self.label(task)): \(file)", link: "the task's report"))
            }
        }
        return sections
    }

    /// The charts drawn here from several tasks' numbers (the study writes each to charts/ID.svg).
    var ownCharts: [ReportPage.Section] {
        var sections: [ReportPage.Section] = []
        if let sweep = layerSweep { sections.append(sweep) }
        if analysis.kind == .filter, let bars = filterBars { sections.append(bars) }
        if analysis.kind == .patch, let bars = patchBars { sections.append(bars) }
        return sections
    }

    func keyCharts(_ task: StudyTask) -> [String] {
        let outputs = outputs(task)
        switch analysis.kind {
        case .spectrum: return tasks.count == 1 ? ["spectrum.svg"] : []
        case .compare: return tasks.count == 1 || layerSweep == nil ? ["compare.svg"] : []
        case .probe: return outputs.files(withSuffix: ".svg").filter { $0.hasPrefix("probes_") }
        case .lens: return outputs.files(withSuffix: ".svg").filter { $0.hasPrefix("lens_accuracy_") }
        case .filter, .patch: return []
        case .boolean: return ["degrees.svg"].filter(outputs.exists)
        }
    }

    /// Spectra over layers: the key periods' share of the energy per layer, one line per dump
    /// and site (compare: the pretrained side solid, its baseline dashed).
    var layerSweep: ReportPage.Section? {
        guard analysis.kind == .spectrum || analysis.kind == .compare else { return nil }
        var lines: [String: [(Double, Double)]] = [:]
        var order: [String] = []
        func add(_ name: String, _ x: Double, _ y: Double?) {
            guard let y = jsonNumber(y) else { return }
            if lines[name] == nil { order.append(name) }
            lines[name, default: []].append((x, y))
        }
        for task in tasks {
            guard let layer = task.labels["layer"].flatMap(Double.init), let site = task.labels["site"] else { continue }
            let grid = task.labels.keys.sorted().filter { !["dataset", "site", "layer", "against"].contains($0) }.map { "\($0) \(task.labels[$0]!)" }
            let name = ([task.dump ?? "", site] + grid).joined(separator: " · ")
            if analysis.kind == .spectrum {
                add(name, layer, outputs(task).summary(SpectrumReport.Summary.self)?.key_energy_fraction)
            } else {
                let summary = outputs(task).summary(CompareReport.Summary.self)
                add(name, layer, summary?.a.key_energy_fraction)
                add(name + " vs " + (task.labels["against"] ?? "B"), layer, summary?.b.key_energy_fraction)
            }
        }
        guard lines.values.contains(where: { $0.count >= 2 }) else { return nil }
        let series = order.enumerated().map { index, name in
            LineChart.Series(name: name, x: lines[name]!.map(\.0), y: lines[name]!.map(\.1),
                             style: analysis.kind == .compare && index % 2 == 1 ? .dashed : .line,
                             color: analysis.kind == .compare ? index / 2 : index)
        }
        let chart = LineChart(title: "\(analysis.name): key periods' share of the energy by layer", xLabel: "layer",
                              yLabel: "share of the energy at k ≥ 1", series: series)
        return .figure(id: "sweep-\(analysis.name)", svg: chart.svg(),
                       caption: "The share of the number-axis spectrum's energy at the key periods, per layer (each layer's own task; compare: the baseline dashed).")
    }

    /// A patch task's configurations, each with the task's unpatched row.
    func patchRows(_ task: StudyTask) -> [(unpatched: [String: String], row: [String: String])] {
        let rows = outputs(task).csv("patch.csv")
        guard let unpatched = rows.first(where: { $0["configuration"] == "unpatched" }) else { return [] }
        return rows.filter { $0["configuration"] != "unpatched" }.map { (unpatched, $0) }
    }

    /// "mlp_out −high (with attn_out)": a filtered readout's short label: its site, the band, the
    /// other sites filtered in the same task, and its dump and layer when they vary.
    static func filterLabel(_ row: [String: String], task: StudyTask, dump: Bool, layer: Bool) -> String {
        let site = row["site"] ?? "", band = row["removed"] ?? ""
        let others = (task.labels["sites"] ?? "").split(separator: ",").map(String.init).filter { $0 != site }
        var label = "\(site)\(layer ? " layer \(row["layer"] ?? "")" : "") −\(band)"
        if !others.isEmpty { label += " (with \(others.joined(separator: ", ")))" }
        return dump ? "\(task.dump ?? "") · \(label)" : label
    }

    /// "attn_out + mlp_out −high": a bar's short label (the band's name, not its range).
    static func patchLabel(_ row: [String: String], dump: String?, dumps: Int) -> String {
        let band = ["low": " −low", "high": " −high", "remove": " −set", "keep": " set only"][row["band"] ?? ""] ?? ""
        let sites = (row["sites"] ?? "").replacingOccurrences(of: "+", with: " + ")
        return [dumps > 1 ? dump : nil, sites + band].compactMap { $0 }.joined(separator: " · ")
    }

    /// "the high band (6 ≤ k ≤ 29)", "k ∈ {1, 3}": what a patched configuration removed.
    static func removal(_ row: [String: String]) -> String {
        let band = row["band"] ?? "", removed = row["removed"] ?? ""
        return ["low", "high"].contains(band) ? "the \(band) band (\(removed))" : removed
    }

    /// Patching: the patched model's accuracy beside the unpatched one, per configuration.
    var patchBars: ReportPage.Section? {
        var categories: [String] = [], unpatched: [Double] = [], patched: [Double] = []
        let dumps = Set(tasks.compactMap(\.dump)).count
        for task in tasks {
            for (clean, row) in patchRows(task) {
                guard let u = clean["acc_exact"].flatMap(Double.init), let p = row["acc_exact"].flatMap(Double.init) else { continue }
                categories.append(Self.patchLabel(row, dump: task.dump, dumps: dumps))
                unpatched.append(u); patched.append(p)
            }
        }
        guard !categories.isEmpty, categories.count <= 48 else { return nil }
        var chart = BarChart(title: "\(analysis.name): the model's accuracy with the filtered activations patched back", yLabel: "number accuracy",
                             categories: categories, series: [.init(name: "unpatched", values: unpatched), .init(name: "patched", values: patched)])
        chart.height = 460
        return .figure(id: "patch-\(analysis.name)", svg: chart.svg(),
                       caption: "Exact-answer accuracy of the model itself over the number tokens, unpatched and with each filtered site set patched back at its readout position (−low / −high: that band removed).")
    }

    /// Filters: accuracy before and after per task and site.
    var filterBars: ReportPage.Section? {
        var categories: [String] = [], before: [Double] = [], after: [Double] = []
        let dumps = Set(tasks.compactMap(\.dump)).count
        for task in tasks {
            let rows = outputs(task).csv("filter_effect.csv")
            let layers = Set(rows.compactMap { $0["layer"] }).count
            for row in rows {
                guard let b = row["acc_before"].flatMap(Double.init), let a = row["acc_after"].flatMap(Double.init) else { continue }
                categories.append(Self.filterLabel(row, task: task, dump: dumps > 1, layer: layers > 1))
                before.append(b); after.append(a)
            }
        }
        guard !categories.isEmpty, categories.count <= 48 else { return nil }
        var chart = BarChart(title: "\(analysis.name): accuracy through the unembedding before and after filtering", yLabel: "accuracy",
                             categories: categories, series: [.init(name: "before", values: before), .init(name: "after", values: after)])
        chart.height = 460
        return .figure(id: "filter-\(analysis.name)", svg: chart.svg(), caption: "Exact-answer accuracy of each filtered readout, before and after the band is removed.")
    }
}
