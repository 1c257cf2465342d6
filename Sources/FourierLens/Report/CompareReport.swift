import Foundation

/// Two spectra side by side: "pretrained vs random" (or any two models or layers).
public struct CompareResult: Sendable {
    public let a: SpectrumResult
    public let b: SpectrumResult
    /// The same probes on both sides, when asked for.
    public var probesA: ProbeResult?
    public var probesB: ProbeResult?
    public var probeOptions: ProbeOptions?
    /// High-frequency share of A over that of B (k ≥ tau, of the non-constant energy).
    public var highFrequencyRatio: Double { b.highFraction > 0 ? a.highFraction / b.highFraction : .infinity }

    public init(a: SpectrumResult, b: SpectrumResult) {
        self.a = a
        self.b = b
    }
}

/// Writes compare.csv, outliers.csv, compare.svg, summary.json and index.html.
public enum CompareReport {
    public static func write(_ result: CompareResult, to output: OutputDirectory) throws {
        try output.write(csv(result).render(), to: "compare.csv")
        try output.write(outliersCSV(result).render(), to: "outliers.csv")
        let chart = svg(result)
        try output.write(chart, to: "compare.svg")
        let spectrumA = SpectrumReport.svg(result.a, title: "A: \(result.a.label)")
        let spectrumB = SpectrumReport.svg(result.b, title: "B: \(result.b.label)")
        try output.write(spectrumA, to: "spectrum_a.svg")
        try output.write(spectrumB, to: "spectrum_b.svg")
        var probeSections: [ReportPage.Section] = []
        if let probesA = result.probesA, let probesB = result.probesB {
            try output.write(probeCSV(probesA, probesB).render(), to: "probes.csv")
            for (file, svg, caption) in probeCharts(result, probesA, probesB) {
                try output.write(svg, to: file)
                probeSections.append(.figure(id: file, svg: svg, caption: caption))
            }
            probeSections += [
                .table(caption: "Probes side by side", header: ["probe", "metric", "A", "B", "A control", "B control", "chance"],
                       rows: zip(probesA.scores, probesB.scores).map { a, b in
                           [a.probe, a.metric, "\(format(a.mean)) ± \(format(a.std))", "\(format(b.mean)) ± \(format(b.std))",
                            a.controlMean.map(format) ?? "–", b.controlMean.map(format) ?? "–", a.chance.map(format) ?? "–"]
                       }),
            ]
        }
        try output.write(try summaryJSON(result), to: "summary.json")
        var control: [ReportPage.Section] = []
        for (name, side) in [("A", result.a), ("B", result.b)] {
            guard let c = side.frequencyControl else { continue }
            let suffix = "_" + name.lowercased()
            control += FrequencyControlReport.sections(c, chart: try FrequencyControlReport.write(c, suffix: suffix, to: output),
                                                       side: "\(name): \(side.label)", suffix: suffix)
        }
        try output.write(page(result, chart: chart, spectrumA: spectrumA, spectrumB: spectrumB, probes: probeSections + control).html(),
                         to: "index.html")
    }

    static func csv(_ result: CompareResult) -> CSVTable {
        var table = CSVTable(header: ["series", "label", "k", "period", "magnitude", "energy_fraction", "z", "p_value", "q_value", "outlier", "trend"])
        for (name, side) in [("A", result.a), ("B", result.b)] {
            let magnitude = side.spectrum.magnitude, fraction = side.spectrum.nonConstantFraction
            for k in side.spectrum.frequencies {
                table.append([.text(name), .text(side.label), .integer(k), .optional(side.spectrum.period(k)), .number(magnitude[k]),
                              .optional(fraction[k]), .optional(side.test.z[k]), .optional(side.test.pValue[k]),
                              .optional(side.test.qValue[k]), .flag(side.test.outlier[k]), .flag(side.isTrend(k))])
            }
        }
        return table
    }

    static func outliersCSV(_ result: CompareResult) -> CSVTable {
        var table = CSVTable(header: ["series", "label", "k", "period", "z", "q_value", "trend"])
        for (name, side) in [("A", result.a), ("B", result.b)] {
            for k in side.test.outlierFrequencies {
                table.append([.text(name), .text(side.label), .integer(k), .number(Double(side.p) / Double(k)),
                              .optional(side.test.z[k]), .optional(side.test.qValue[k]), .flag(side.isTrend(k))])
            }
        }
        return table
    }

    /// Both spectra as shares of their non-constant energy (so models of different scale and width
    /// compare), against k, or against k/p when the two have different p.
    static func svg(_ result: CompareResult) -> String {
        let samePoints = result.a.p == result.b.p
        func series(_ side: SpectrumResult, _ name: String) -> LineChart.Series {
            let share = side.spectrum.nonConstantFraction
            let ks = Array(1..<share.count)
            return LineChart.Series(name: "\(name): \(side.label)",
                                    x: ks.map { samePoints ? Double($0) : Double($0) / Double(side.p) },
                                    y: ks.map { share[$0] ?? 0 })
        }
        var chart = LineChart(title: "Share of energy per frequency",
                              xLabel: samePoints ? "frequency k (period T = \(result.a.p)/k)" : "frequency k/p (cycles per number)",
                              yLabel: "share of the energy at k ≥ 1",
                              series: [series(result.a, "A"), series(result.b, "B")])
        for (index, side) in [result.a, result.b].enumerated() {
            let share = side.spectrum.nonConstantFraction
            chart.labels += side.test.outlierFrequencies.map { k in
                LineChart.PointLabel(x: samePoints ? Double(k) : Double(k) / Double(side.p),
                                     y: share[k] ?? 0,
                                     text: SpectrumRun.periodLabel(k, p: side.p), series: index)
            }
        }
        return chart.svg()
    }

    static func probeCSV(_ a: ProbeResult, _ b: ProbeResult) -> CSVTable {
        var table = ProbeReport.csv([a, b])
        table = CSVTable(header: ["series"] + table.header)
        for (name, side) in [("A", a), ("B", b)] {
            for row in ProbeReport.csv([side]).rows { table.append([.text(name)] + row) }
        }
        return table
    }

    /// The same probes on both sides, one chart per metric, each side named by its input.
    static func probeCharts(_ result: CompareResult, _ a: ProbeResult, _ b: ProbeResult) -> [(String, String, String)] {
        ProbeReport.metricBarCharts(title: "Probes, A vs B", sides: [("A: \(result.a.label)", a), ("B: \(result.b.label)", b)])
            .map { file, svg, caption in ("probes_\(file).svg", svg, caption) }
    }

    static func page(_ result: CompareResult, chart: String, spectrumA: String, spectrumB: String,
                     probes: [ReportPage.Section] = []) -> ReportPage {
        let rows = [("A", result.a), ("B", result.b)].map { name, side in
            [name, side.label, String(side.periodicOutliers.count), SpectrumReport.periods(side.periodicOutliers, p: side.p),
             SpectrumReport.periods(side.trendOutliers, p: side.p),
             format(side.keyEnergyFraction), format(side.highFraction),
             SpectrumReport.describe(side.keySetByGap, p: side.p), SpectrumReport.describe(side.keySetByFraction, p: side.p)]
        }
        return ReportPage(
            title: "FourierLens compare",
            subtitle: "A: \(result.a.label) — B: \(result.b.label)",
            sections: [
                .keyValues(caption: "Key numbers", pairs: [
                    ("key-period share A / B (periods \(result.a.options.keyPeriods.map { format($0) }.joined(separator: ", ")))",
                     format(result.b.keyEnergyFraction > 0 ? result.a.keyEnergyFraction / result.b.keyEnergyFraction : .infinity)),
                    ("high-frequency share A / B (k ≥ \(result.a.tau))", format(result.highFrequencyRatio)),
                    ("null model", SpectrumReport.nullDescription(result.a)),
                ] + [("A", result.a), ("B", result.b)].compactMap { name, side in
                    NumberMatrix.describeAveraging(side.rowsPerNumber).map { ("rows averaged (\(name))", $0) }
                }),
                .figure(id: "compare", svg: chart, caption: "Each frequency's share of the energy at k ≥ 1 (the real orthonormal Fourier basis; shares sum to 1 per series). Labelled points are each side's outliers against its own null."),
                .table(caption: "Outliers and energy (" + (result.a.firstPeriodic > 1 ? "the slow trend, periods longer than \(format(result.a.options.trendPeriod)) numbers, apart" : "no trend cut") + ")",
                       header: ["", "input", "periodic outliers", "periods", "slow-trend outliers", "key-period share", "high-frequency share",
                                                                 "key set by gap (×\(format(result.a.options.keyMinGap)))",
                                                                 "key set by fraction (\(format(result.a.options.keyFraction)))"], rows: rows),
            ] + probes + [
                .figure(id: "spectrum_a", svg: spectrumA, caption: "A's spectrum with its null band."),
                .figure(id: "spectrum_b", svg: spectrumB, caption: "B's spectrum with its null band."),
                .files([("compare.csv", "both spectra, one row per series and k"), ("outliers.csv", "each side's outliers"),
                        ("compare.svg", "the overlay chart"), ("spectrum_a.svg", "A's spectrum"), ("spectrum_b.svg", "B's spectrum"),
                        ("summary.json", "both summaries and the ratio, for scripts")]
                       + (probes.isEmpty ? [] : [("probes.csv", "both sides' probe scores"), ("probes_accuracy.svg", "the mod-m probes' accuracy, A beside B"), ("probes_r2.svg", "the other probes' R², A beside B")])),
            ])
    }

    public struct Summary: Codable {
        public let tool: String, command: String, a: SpectrumReport.Summary, b: SpectrumReport.Summary, high_frequency_ratio: Double
        public let probes_a: ProbeReport.Summary?, probes_b: ProbeReport.Summary?
    }

    static func summaryJSON(_ result: CompareResult) throws -> String {
        let options = result.probeOptions ?? ProbeOptions()
        return try encodeJSON(Summary(tool: BuildIdentity.tool, command: "compare",
                                      a: SpectrumReport.summary(result.a, command: "compare"),
                                      b: SpectrumReport.summary(result.b, command: "compare"),
                                      high_frequency_ratio: finite(result.highFrequencyRatio),
                                      probes_a: result.probesA.map { ProbeReport.Summary([$0], options, command: "compare") },
                                      probes_b: result.probesB.map { ProbeReport.Summary([$0], options, command: "compare") }))
    }
}
