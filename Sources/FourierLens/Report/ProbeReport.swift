import Foundation

/// Writes a probe run: probes.csv, charts, summary.json and index.html.
public enum ProbeReport {
    public static func write(_ results: [ProbeResult], options: ProbeOptions, to output: OutputDirectory) throws {
        try output.write(csv(results).render(), to: "probes.csv")
        var figures: [ReportPage.Section] = []
        for (name, svg, caption) in charts(results) {
            try output.write(svg, to: name)
            figures.append(.figure(id: name, svg: svg, caption: caption))
        }
        try output.write(try encodeJSON(Summary(results, options)), to: "summary.json")
        let page = ReportPage(
            title: "FourierLens probes",
            subtitle: results.map(\.source).joined(separator: ", "),
            sections: [bestSection(results)] + figures + averagingNote(results) + [
                .table(caption: "Held-out scores (\(options.folds)-fold cross-validation, seed \(options.seed))",
                       header: ["source", "probe", "metric", "mean", "std", "chance", "shuffled control"], rows: tableRows(results)),
                .files([("probes.csv", "one row per source, probe and metric"), ("summary.json", "the same with every fold's score")]),
            ])
        try output.write(page.html(), to: "index.html")
    }

    /// Each probe's best source and mean score; a best at or below chance is "none above chance".
    static func bestSection(_ results: [ProbeResult]) -> ReportPage.Section {
        let names = results.first?.scores.map(\.probe) ?? []
        let pairs = names.map { name -> (String, String) in
            let scored = results.compactMap { r in r.scores.first { $0.probe == name }.map { (r.source, $0) } }
            guard let best = scored.max(by: { $0.1.mean < $1.1.mean }) else { return (name, "–") }
            let metric = best.1.metric == "r2" ? "R²" : "accuracy"
            return (name, describeBest(score: best.1.mean, chance: best.1.chance, metric: metric, source: best.0))
        }
        return .keyValues(caption: "Best held-out score of each probe", pairs: pairs)
    }

    /// "R² 0.93 (layer 2)", or "none above chance (best R² −0.006, layer 2; chance 0)".
    public static func describeBest(score: Double, chance: Double?, metric: String, source: String) -> String {
        if let chance, !(score > chance) {
            return "none above chance (best \(metric) \(format(score)), \(source); chance \(format(chance)))"
        }
        return "\(metric) \(format(score)) (\(source))"
    }

    /// Says, once, that each number's rows were averaged and over how many rows.
    static func averagingNote(_ results: [ProbeResult]) -> [ReportPage.Section] {
        guard let averaged = results.lazy.compactMap({ NumberMatrix.describeAveraging($0.rowsPerNumber) }).first else { return [] }
        return [.keyValues(caption: "Input", pairs: [("rows averaged", averaged + "; each probe sees one row per number")])]
    }

    public static func csv(_ results: [ProbeResult]) -> CSVTable {
        var table = CSVTable(header: ["dataset", "layer", "site", "probe", "metric", "mean", "std", "chance", "control_mean", "control_std", "folds"])
        for result in results {
            for score in result.scores {
                table.append([result.dataset.map { .text($0) } ?? .missing, result.layer.map { .integer($0) } ?? .missing,
                              result.site.map { .text($0) } ?? .missing, .text(score.probe),
                              .text(score.metric), .number(score.mean), .number(score.std), .optional(score.chance),
                              .optional(score.controlMean), .optional(score.controlStd), .integer(score.folds.count)])
            }
        }
        return table
    }

    static func tableRows(_ results: [ProbeResult]) -> [[String]] {
        results.flatMap { result in
            result.scores.map { s in
                [result.source, s.probe, s.metric, format(s.mean), format(s.std), s.chance.map(format) ?? "–",
                 s.controlMean.map { "\(format($0)) ± \(format(s.controlStd ?? 0))" } ?? "–"]
            }
        }
    }

    /// The two metrics, each in its own chart: accuracy (mod m) and R² (value, helix, Fourier).
    static let metrics = [(metric: "accuracy", file: "accuracy", label: "held-out accuracy"),
                          (metric: "r2", file: "r2", label: "held-out R²")]
    /// R² of a shuffled control can be far below zero; R² axes stop at −1 (the CSV has the values).
    static let r2Floor = -1.0

    /// Per layer: one line per probe and its shuffled control dashed in the same colour, one
    /// chart per metric. Otherwise, per source and metric: grouped bars with chance marked.
    static func charts(_ results: [ProbeResult]) -> [(String, String, String)] {
        let probes = results.first?.scores ?? []
        if results.count > 1, results.allSatisfy({ $0.layer != nil }) {
            var charts: [(String, String, String)] = []
            for (metric, file, label) in metrics {
                let chosen = probes.enumerated().filter { $0.element.metric == metric }
                guard !chosen.isEmpty else { continue }
                let layers = results.map { Double($0.layer!) }
                var series: [LineChart.Series] = []
                let floor = metric == "r2" ? r2Floor : -Double.infinity
                for (position, (index, score)) in chosen.enumerated() {
                    var line = LineChart.Series(name: score.probe, x: layers, y: results.map { max($0.scores[index].mean, floor) }, color: position)
                    line.errors = results.map { foldSpread($0.scores[index].mean, $0.scores[index].std, floor: floor) }
                    line.notes = results.map { foldNote($0.scores[index]) }
                    series.append(line)
                    let control = results.map { $0.scores[index].controlMean.map { max($0, floor) } ?? .nan }
                    if control.contains(where: { !$0.isNaN }) {
                        series.append(.init(name: "\(score.probe) shuffled control", x: layers, y: control, style: .dashed, color: position))
                    }
                }
                var chart = LineChart(title: "Probes per layer: \(label)", xLabel: "layer", yLabel: label, series: series)
                if metric == "accuracy" { chart.yRange = 0...1 }
                charts.append(("probes_\(file).svg", chart.svg(), "The \(label) of each probe per layer (solid) and of the same pipeline on shuffled labels (dashed, same colour); error bars: ± one standard deviation over the cross-validation folds. Chance: \(metric == "accuracy" ? "1/m for mod m" : "0; values below −1 are drawn at −1").")) 
            }
            return charts
        }
        return results.enumerated().flatMap { index, result in
            metricBarCharts(title: "Probes of \(result.source)", sides: [("held-out score", result), ("shuffled-label control", nil)])
                .map { file, svg, caption in
                    (results.count == 1 ? "probes_\(file).svg" : "probes_\(index)_\(file).svg", svg, caption)
                }
        }
    }

    /// mean ± one standard deviation over the folds, cut at the axis floor (nil when std is not finite).
    static func foldSpread(_ mean: Double, _ std: Double, floor: Double) -> ClosedRange<Double>? {
        guard mean.isFinite, std.isFinite, std > 0 else { return nil }
        return max(mean - std, floor)...max(mean + std, floor)
    }

    /// A score's spread for its hover text: "sd 0.01234 over 5 folds".
    static func foldNote(_ score: ProbeScore) -> String {
        "sd \(format(score.std)) over \(score.folds.count) folds"
    }

    /// One bar chart per metric with one bar series per side (a nil result: the previous side's
    /// shuffled control); chance dashed; R² below −1 drawn at −1 with its value written.
    static func metricBarCharts(title: String, sides: [(name: String, result: ProbeResult?)]) -> [(String, String, String)] {
        guard let first = sides.first?.result else { return [] }
        return metrics.compactMap { metric, file, label in
            let chosen = first.scores.indices.filter { first.scores[$0].metric == metric }
            guard !chosen.isEmpty else { return nil }
            var series: [BarChart.Series] = []
            var previous = first
            for side in sides {
                var bars: BarChart.Series
                let floor = metric == "r2" ? r2Floor : -Double.infinity
                if let result = side.result {
                    bars = .init(name: side.name, values: chosen.map { result.scores[$0].mean })
                    bars.errors = chosen.map { foldSpread(result.scores[$0].mean, result.scores[$0].std, floor: floor) }
                    bars.notes = chosen.map { foldNote(result.scores[$0]) }
                    previous = result
                } else {
                    let scores = previous
                    bars = .init(name: side.name, values: chosen.map { scores.scores[$0].controlMean ?? .nan })
                    bars.errors = chosen.map { i in scores.scores[i].controlMean.flatMap { foldSpread($0, scores.scores[i].controlStd ?? .nan, floor: floor) } }
                }
                series.append(bars)
            }
            var chart = BarChart(title: "\(title): \(label)", yLabel: label, categories: chosen.map { first.scores[$0].probe }, series: series)
            chart.reference = chosen.map { first.scores[$0].chance }
            if metric == "r2" { chart.floor = r2Floor }
            let chance = metric == "accuracy" ? "1/m for mod m" : "0; bars below −1 stop at −1 with their value written"
            return (file, chart.svg(), "Mean \(label) of each probe, beside the same pipeline on shuffled labels where shown; whiskers: ± one standard deviation over the cross-validation folds. Dashed: chance (\(chance)).")
        }
    }

    public struct Summary: Codable {
        public struct Score: Codable {
            public let probe: String, metric: String, mean: Double, std: Double, folds: [Double]
            public let chance: Double?, control_mean: Double?, control_std: Double?, control_folds: [Double]?
            /// The ridge strength chosen by inner cross-validation in each fold (value and mod-m probes).
            public let lambdas: [Double]?, control_lambdas: [Double]?
        }
        public struct Source: Codable {
            public let dataset: String?, layer: Int?, site: String?, rows: Int, columns: Int, scores: [Score]
            /// Rows averaged into each number (numbers ascending), or null.
            public let rows_per_number: [Int]?
        }
        public let tool: String, command: String, options: ProbeOptions, sources: [Source]

        init(_ results: [ProbeResult], _ options: ProbeOptions, command: String = "probe") {
            tool = BuildIdentity.tool
            self.command = command
            self.options = options
            sources = results.map { r in
                Source(dataset: r.dataset, layer: r.layer, site: r.site, rows: r.rows, columns: r.columns, scores: r.scores.map {
                    Score(probe: $0.probe, metric: $0.metric, mean: $0.mean, std: $0.std, folds: $0.folds, chance: $0.chance,
                          control_mean: $0.controlMean, control_std: $0.controlStd, control_folds: $0.control,
                          lambdas: $0.lambdas, control_lambdas: $0.controlLambdas)
                }, rows_per_number: r.rowsPerNumber)
            }
        }
    }
}
