import Foundation

/// Writes a spectrum run: spectrum.csv, spectrum.svg, summary.json and index.html.
public enum SpectrumReport {

    public static func write(_ result: SpectrumResult, to output: OutputDirectory) throws {
        try output.write(csv(result).render(), to: "spectrum.csv")
        try output.write(columnsCSV(result).render(), to: "spectrum_columns.csv")
        let chart = svg(result)
        try output.write(chart, to: "spectrum.svg")
        try output.write(try summaryJSON(result), to: "summary.json")
        var control: [ReportPage.Section] = []
        if let c = result.frequencyControl {
            control = FrequencyControlReport.sections(c, chart: try FrequencyControlReport.write(c, suffix: "", to: output))
        }
        try output.write(page(result, chart: chart, control: control).html(), to: "index.html")
    }

    public static func csv(_ result: SpectrumResult) -> CSVTable {
        var table = CSVTable(header: ["k", "period", "magnitude", "energy_fraction", "cos_fraction", "sin_fraction",
                                      "null_mean", "null_sd", "null_lower", "null_upper", "z", "p_value", "q_value",
                                      "outlier", "top_columns", "in_gap_set", "in_fraction_set", "trend"])
        let s = result.spectrum
        let fraction = s.nonConstantFraction, cos = s.cosNonConstantFraction, sin = s.sinNonConstantFraction
        let magnitude = s.magnitude
        let gapSet = Set(result.keySetByGap?.frequencies ?? []), fractionSet = Set(result.keySetByFraction?.frequencies ?? [])
        for k in s.frequencies {
            table.append([.integer(k), .optional(s.period(k)), .number(magnitude[k]), .optional(fraction[k]),
                          .optional(cos[k]), .optional(sin[k]),
                          .optional(result.null?.mean[k]), .optional(result.null?.sd[k]),
                          .optional(result.null?.lower[k]), .optional(result.null?.upper[k]),
                          .optional(result.test.z[k]), .optional(result.test.pValue[k]), .optional(result.test.qValue[k]),
                          .flag(result.test.outlier[k]), .integer(s.topColumns[k]),
                          .flag(gapSet.contains(k)), .flag(fractionSet.contains(k)), .flag(result.isTrend(k))])
        }
        return table
    }

    /// Each column's strongest frequency and its share of the column's energy at k ≥ 1.
    public static func columnsCSV(_ result: SpectrumResult) -> CSVTable {
        var table = CSVTable(header: ["column", "top_k", "period", "share"])
        let s = result.spectrum
        for j in 0..<s.columnTopFrequency.count {
            let k = s.columnTopFrequency[j]
            table.append([.integer(j), .integer(k), .optional(s.period(k)), .number(s.columnTopShare[j])])
        }
        return table
    }

    /// Magnitude over k ≥ 1 as stems, the null's mean dashed and its 95% band shaded, outliers
    /// labelled with their periods.
    public static func svg(_ result: SpectrumResult, title: String? = nil) -> String {
        let s = result.spectrum
        let ks = Array(1..<s.energy.count)
        let magnitude = s.magnitude
        var chart = LineChart(title: title ?? "Fourier spectrum of \(result.label)",
                              xLabel: "frequency k (cycles over the \(s.p) numbers; period T = \(s.p)/k)",
                              yLabel: "magnitude |X̂[k]| (L2 over \(s.d) columns)",
                              series: [LineChart.Series(name: "observed", x: ks.map(Double.init), y: ks.map { magnitude[$0] }, style: .stems)])
        chart.series[0].notes = ks.map { pointNote(result, k: $0) }
        if let null = result.null {
            chart.series.append(LineChart.Series(name: "null mean (\(null.model.rawValue), \(null.draws) draws)",
                                                 x: ks.map(Double.init), y: ks.map { null.mean[$0] }, style: .dashed))
            chart.bands.append(LineChart.Band(name: "null 95% band", x: ks.map(Double.init),
                                              lower: ks.map { null.lower[$0] }, upper: ks.map { null.upper[$0] }))
        }
        chart.labels = result.test.outlierFrequencies.map {
            LineChart.PointLabel(x: Double($0), y: magnitude[$0], text: SpectrumRun.periodLabel($0, p: s.p))
        }
        return chart.svg()
    }

    /// A stem's other statistics for its hover text: period, energy fraction, z, p, q, the null's band.
    static func pointNote(_ result: SpectrumResult, k: Int) -> String {
        var parts = ["T = \(format(Double(result.p) / Double(k)))",
                     "energy fraction \(format(result.spectrum.nonConstantFraction[k] ?? .nan))"]
        if let z = result.test.z[k] { parts.append("z = \(format(z))") }
        if let p = result.test.pValue[k] { parts.append("p = \(format(p))") }
        if let q = result.test.qValue[k] { parts.append("q = \(format(q))") }
        if let null = result.null { parts.append("null 95% \(format(null.lower[k]))–\(format(null.upper[k]))") }
        if result.test.outlier[k] { parts.append("outlier") }
        return parts.joined(separator: ", ")
    }

    static func outlierRows(_ result: SpectrumResult, _ frequencies: [Int]) -> [[String]] {
        let magnitude = result.spectrum.magnitude, fraction = result.spectrum.nonConstantFraction
        return frequencies.map { k in
            [String(k), SpectrumRun.periodLabel(k, p: result.p), format(magnitude[k]), format(fraction[k] ?? .nan),
             format(result.test.z[k] ?? .nan), format(result.test.pValue[k] ?? .nan), format(result.test.qValue[k] ?? .nan)]
        }
    }

    static func keyNumbers(_ result: SpectrumResult) -> [(String, String)] {
        var pairs: [(String, String)] = [
            ("input", result.label),
            ("numbers", numbersDescription(result)),
            ("centred per column", result.options.center ? "yes" : "no"),
            ("null model", nullDescription(result)),
            ("periodic outliers (BY q ≤ \(format(result.options.alpha)))", periods(result.periodicOutliers, p: result.p)),
            ("slow trend", trendDescription(result)),
            ("energy in key periods \(result.options.keyPeriods.map { format($0) }.joined(separator: ", ")) (share of the energy at k ≥ 1)",
             format(result.keyEnergyFraction)),
            ("key set by gap (the strongest periodic frequencies above the largest ratio between sorted energies, if ≥ \(format(result.options.keyMinGap)))",
             describe(result.keySetByGap, p: result.p)),
            ("key set by fraction (the fewest strongest periodic frequencies holding \(format(result.options.keyFraction)) of their energy)",
             describe(result.keySetByFraction, p: result.p)),
            ("low (1 ≤ k < \(result.tau)) / high (\(result.tau) ≤ k ≤ \(result.p / 2)) share of the energy at k ≥ 1",
             "\(format(result.lowFraction)) / \(format(result.highFraction))"),
            ("constant (k = 0) share of the total energy", format(result.spectrum.constantFraction)),
        ]
        if let averaged = NumberMatrix.describeAveraging(result.rowsPerNumber) { pairs.append(("rows averaged", averaged)) }
        if result.zeroedNonFinite > 0 { pairs.append(("NaN/Inf set to 0", String(result.zeroedNonFinite))) }
        return pairs
    }

    /// "0–299 (p = 300), 384 columns"; with gaps, how many numbers and the transform used.
    static func numbersDescription(_ result: SpectrumResult) -> String {
        guard result.nonUniform else { return "\(numberRange(result.firstValue, result.lastValue)) (p = \(result.p)), \(result.d) columns" }
        return "\(result.numbers) numbers from \(numberRange(result.firstValue, result.lastValue)), not contiguous (--allow-gaps), \(result.d) columns: "
            + "the spectrum is a non-uniform DFT at the numbers' own values, frequencies k/P over their full range P = \(result.p) (period T at k = P/T); "
            + "the null permutes the rows over the same numbers"
    }

    /// "T=10, T=5", or "none".
    static func periods(_ frequencies: [Int], p: Int) -> String {
        frequencies.isEmpty ? "none" : frequencies.map { SpectrumRun.periodLabel($0, p: p) }.joined(separator: ", ")
    }

    /// What the slow-trend cut is, and which of its frequencies stand out of the null.
    static func trendDescription(_ result: SpectrumResult) -> String {
        guard result.firstPeriodic > 1 else { return "not separated (--trend-period 0): every k ≥ 1 is periodic" }
        return "k < \(result.firstPeriodic) (periods longer than \(format(result.options.trendPeriod)) numbers), left out of the periodic outliers and key sets; "
            + "outliers among them: \(periods(result.trendOutliers, p: result.p))"
    }

    /// "k = 4, 14 (T=28.25, T=8.07): 0.93 of the energy at k ≥ 1; gap ×12.5", or "none"; a set of
    /// more than ten frequencies is named by its size and strongest members (all are in spectrum.csv).
    public static func describe(_ set: KeyFrequencies?, p: Int) -> String {
        guard let set else { return "none (no gap large enough)" }
        let share = "\(format(set.energyFraction)) of the energy at k ≥ \(set.first)" + (set.first > 1 ? " (the periodic frequencies)" : "")
        let gap = set.rule == .gap ? "; gap ×\(format(set.gapRatio))" : ""
        guard set.frequencies.count <= 10 else { return "\(set.frequencies.count) frequencies: \(share)\(gap)" }
        let ks = set.frequencies.map(String.init).joined(separator: ", ")
        let periods = set.frequencies.map { SpectrumRun.periodLabel($0, p: p) }.joined(separator: ", ")
        return "k = \(ks) (\(periods)): \(share)\(gap)"
    }

    /// "permute, 200 draws, seed 0", or "permute, all 24 orderings (exact p-values)".
    static func nullDescription(_ result: SpectrumResult) -> String {
        guard let null = result.null else { return "none" }
        if null.exact { return "\(null.model.rawValue), all \(null.draws) orderings (exact p-values)" }
        return "\(null.model.rawValue), \(null.draws) draws, seed \(null.seed)"
    }

    static func page(_ result: SpectrumResult, chart: String, control: [ReportPage.Section] = []) -> ReportPage {
        ReportPage(
            title: "FourierLens spectrum",
            subtitle: result.label,
            sections: [
                .keyValues(caption: "Key numbers", pairs: keyNumbers(result)),
                .figure(id: "spectrum", svg: chart, caption: "Magnitude of each frequency k ≥ 1 of the DFT along the number axis (the L2 norm over columns of X̂[k, :]). The dashed line and the grey band are the null's mean and 95% range; labelled points are outliers, named by their period T = p/k. k = 0 (the mean) is not shown and never an outlier."),
                .table(caption: "Periodic outlier frequencies", header: ["k", "period", "magnitude", "energy fraction", "z", "p-value", "q-value (BY)"],
                       rows: outlierRows(result, result.periodicOutliers)),
            ] + (result.trendOutliers.isEmpty ? [] : [
                .table(caption: "Slow-trend outliers (periods longer than \(format(result.options.trendPeriod)) numbers)",
                       header: ["k", "period", "magnitude", "energy fraction", "z", "p-value", "q-value (BY)"],
                       rows: outlierRows(result, result.trendOutliers)),
            ]) + control + [
                .files([("spectrum.csv", "one row per frequency k: magnitude, energy fractions, null statistics, z, p, q, outlier, whether it is trend"),
                        ("spectrum_columns.csv", "one row per column: its strongest frequency and that frequency's share of the column's energy"),
                        ("spectrum.svg", "the chart above"), ("summary.json", "inputs, options and outliers, for scripts")]),
            ])
    }

    // MARK: - summary.json

    public struct Summary: Codable {
        public struct Input: Codable {
            public let file: String, dataset: String, values: String, layer: Int?, p: Int, d: Int, first_value: Int64, last_value: Int64
            /// How many numbers (rows): p, unless they have gaps (p is then their full range).
            public let numbers: Int
        }
        public struct Outlier: Codable {
            public let k: Int, period: Double, magnitude: Double, energy_fraction: Double, z: Double, p_value: Double, q_value: Double
        }
        public let tool: String, command: String, input: Input, options: SpectrumOptions, outliers: [Outlier]
        /// "dft" over contiguous numbers, "nonuniform_dft" at the values of numbers with gaps.
        public let transform: String
        /// Outliers of the slow trend (k < first_periodic), apart from the periodic `outliers`.
        public let trend_outliers: [Outlier], first_periodic: Int
        public struct KeySet: Codable {
            public let frequencies: [Int], periods: [Double], energy_fraction: Double, gap_ratio: Double
            init?(_ set: KeyFrequencies?, p: Int) {
                guard let set else { return nil }
                frequencies = set.frequencies
                periods = set.frequencies.map { Double(p) / Double($0) }
                energy_fraction = set.energyFraction
                gap_ratio = set.gapRatio
            }
        }
        public let outlier_periods: [Double], key_frequencies: [Int], key_energy_fraction: Double
        /// The data-driven key sets (null: the gap rule found no gap).
        public let key_set_gap: KeySet?, key_set_fraction: KeySet?
        public let tau: Int, low_fraction: Double, high_fraction: Double, constant_fraction: Double, nonfinite_set_to_zero: Int
        public let null_draws: Int?, null_exact: Bool?
        /// Rows averaged into each number (aligned with first_value…last_value), or null.
        public let rows_per_number: [Int]?
        /// `--control-frequency`: the residual's analysis (absent without it).
        public var frequency_control: FrequencyControlReport.Summary? = nil
    }

    static func summary(_ r: SpectrumResult, command: String = "spectrum") -> Summary {
        let magnitude = r.spectrum.magnitude, fraction = r.spectrum.nonConstantFraction
        func outlier(_ k: Int) -> Summary.Outlier {
            .init(k: k, period: Double(r.p) / Double(k), magnitude: magnitude[k], energy_fraction: fraction[k] ?? 0,
                  z: finite(r.test.z[k]), p_value: r.test.pValue[k] ?? 1, q_value: r.test.qValue[k] ?? 1)
        }
        var summary = Summary(
            tool: BuildIdentity.tool, command: command,
            input: .init(file: r.file, dataset: r.dataset, values: r.valuesDataset, layer: r.layer, p: r.p, d: r.d,
                         first_value: r.firstValue, last_value: r.lastValue, numbers: r.numbers),
            options: r.options, outliers: r.periodicOutliers.map(outlier),
            transform: r.nonUniform ? "nonuniform_dft" : "dft",
            trend_outliers: r.trendOutliers.map(outlier), first_periodic: r.firstPeriodic,
            outlier_periods: r.periodicOutliers.map { Double(r.p) / Double($0) },
            key_frequencies: r.keyFrequencies, key_energy_fraction: r.keyEnergyFraction,
            key_set_gap: .init(r.keySetByGap, p: r.p), key_set_fraction: .init(r.keySetByFraction, p: r.p),
            tau: r.tau, low_fraction: r.lowFraction, high_fraction: r.highFraction,
            constant_fraction: r.spectrum.constantFraction, nonfinite_set_to_zero: r.zeroedNonFinite,
            null_draws: r.null?.draws, null_exact: r.null?.exact, rows_per_number: r.rowsPerNumber)
        summary.frequency_control = r.frequencyControl.map(FrequencyControlReport.summary)
        return summary
    }

    static func summaryJSON(_ result: SpectrumResult) throws -> String {
        try encodeJSON(summary(result))
    }
}

/// A large z (no null draw came close) is reported as 1e308 rather than infinity in JSON.
func finite(_ x: Double?) -> Double {
    guard let x else { return 0 }
    return x.isFinite ? x : (x > 0 ? Double.greatestFiniteMagnitude : -Double.greatestFiniteMagnitude)
}

/// Numbers in pages and tables: four significant digits.
func format(_ x: Double) -> String {
    if x.isNaN { return "–" }
    if x.isInfinite { return x > 0 ? "∞" : "−∞" }
    if x != 0 && (abs(x) < 1e-3 || abs(x) >= 1e5) { return String(format: "%.3e", x) }
    var text = String(format: "%.4g", x)
    if text.contains("."), !text.contains("e") { while text.hasSuffix("0") { text.removeLast() }; if text.hasSuffix(".") { text.removeLast() } }
    return text
}
