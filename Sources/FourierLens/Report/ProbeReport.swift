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
            sections: figures + averagingNote(results) + [
                .table(caption: "Held-out scores (\(options.folds)-fold cross-validation, seed \(options.seed))",
                       header: ["source", "probe", "metric", "mean", "std", "chance", "shuffled control"], rows: tableRows(results)),
                .files([("probes.csv", "one row per source, probe and metric"), ("summary.json", "the same with every fold's score")]),
            ])
        try output.write(page.html(), to: "index.html")
    }

    /// Says, once, that each number's rows were averaged and over how many rows.
    static func averagingNote(_ results: [ProbeResult]) -> [ReportPage.Section] {
        guard let averaged = results.lazy.compactMap({ NumberMatrix.describeAveraging($0.rowsPerNumber) }).first else { return [] }
        return [.keyValues(caption: "Input", pairs: [("rows averaged", averaged + "; each probe sees one row per number")])]
    }

    public static func csv(_ results: [ProbeResult]) -> CSVTable {
        var table = CSVTable(header: ["source", "layer", "probe", "metric", "mean", "std", "chance", "control_mean", "control_std", "folds"])
        for result in results {
            for score in result.scores {
                table.append([.text(result.source), result.layer.map { .integer($0) } ?? .missing, .text(score.probe),
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

    /// Per layer: one line per probe and its shuffled control dashed in the same colour, split
    /// into accuracy and R² charts. A single source: grouped bars with chance marked.
    static func charts(_ results: [ProbeResult]) -> [(String, String, String)] {
        let probes = results.first?.scores ?? []
        if results.count > 1, results.allSatisfy({ $0.layer != nil }) {
            var charts: [(String, String, String)] = []
            for (metric, file, label) in [("accuracy", "probes_accuracy.svg", "held-out accuracy"), ("r2", "probes_r2.svg", "held-out R²")] {
                let chosen = probes.enumerated().filter { $0.element.metric == metric }
                guard !chosen.isEmpty else { continue }
                let layers = results.map { Double($0.layer!) }
                var series: [LineChart.Series] = []
                // R² of a shuffled control can be far below zero; the chart stops at −1 (the CSV has the values).
                let floor = metric == "r2" ? -1.0 : -Double.infinity
                for (position, (index, score)) in chosen.enumerated() {
                    series.append(.init(name: score.probe, x: layers, y: results.map { max($0.scores[index].mean, floor) }, color: position))
                    let control = results.map { $0.scores[index].controlMean.map { max($0, floor) } ?? .nan }
                    if control.contains(where: { !$0.isNaN }) {
                        series.append(.init(name: "\(score.probe) control", x: layers, y: control, style: .dashed, color: position))
                    }
                }
                let chart = LineChart(title: "Probes per layer: \(label)", xLabel: "layer", yLabel: label, series: series)
                charts.append((file, chart.svg(), "The \(label) of each probe per layer (solid) and of the same pipeline on shuffled labels (dashed, same colour). Chance: \(metric == "accuracy" ? "1/m for mod m" : "0; values below −1 are drawn at −1").")) 
            }
            return charts
        }
        return results.enumerated().map { index, result in
            var chart = BarChart(title: "Probes of \(result.source)", yLabel: "held-out score (accuracy or R²)",
                                 categories: result.scores.map(\.probe),
                                 series: [.init(name: "probe", values: result.scores.map(\.mean)),
                                          .init(name: "shuffled control", values: result.scores.map { $0.controlMean ?? .nan })])
            chart.reference = result.scores.map(\.chance)
            let name = results.count == 1 ? "probes.svg" : "probes_\(index).svg"
            return (name, chart.svg(), "Mean held-out score of each probe (accuracy for mod m, R² otherwise) beside the same pipeline on shuffled labels; dashed: chance.")
        }
    }

    struct Summary: Encodable {
        struct Score: Encodable {
            let probe: String, metric: String, mean: Double, std: Double, folds: [Double]
            let chance: Double?, control_mean: Double?, control_std: Double?, control_folds: [Double]?
            /// The ridge strength chosen by inner cross-validation in each fold (value and mod-m probes).
            let lambdas: [Double]?, control_lambdas: [Double]?
        }
        struct Source: Encodable {
            let source: String, layer: Int?, rows: Int, columns: Int, scores: [Score]
            /// Rows averaged into each number (numbers ascending), or null.
            let rows_per_number: [Int]?
        }
        let tool: String, command: String, options: ProbeOptions, sources: [Source]

        init(_ results: [ProbeResult], _ options: ProbeOptions, command: String = "probe") {
            tool = "fourierlens \(SpectrumReport.version)"
            self.command = command
            self.options = options
            sources = results.map { r in
                Source(source: r.source, layer: r.layer, rows: r.rows, columns: r.columns, scores: r.scores.map {
                    Score(probe: $0.probe, metric: $0.metric, mean: $0.mean, std: $0.std, folds: $0.folds, chance: $0.chance,
                          control_mean: $0.controlMean, control_std: $0.controlStd, control_folds: $0.control,
                          lambdas: $0.lambdas, control_lambdas: $0.controlLambdas)
                }, rows_per_number: r.rowsPerNumber)
            }
        }
    }
}
