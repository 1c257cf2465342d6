import Foundation

/// The frequency control's part of a spectrum or compare report: frequency_control*.csv, the
/// residual's chart, a page section, summary.json's `frequency_control` and one sentence.
public enum FrequencyControlReport {
    /// "frequency_control.csv" for a spectrum, "frequency_control_a.csv" for compare's side A.
    static func write(_ control: FrequencyControl, suffix: String, to output: OutputDirectory) throws -> String {
        try output.write(csv(control).render(), to: "frequency_control\(suffix).csv")
        let chart = SpectrumReport.svg(control.residual, title: "After the frequency control: \(control.residual.label)")
        try output.write(chart, to: "spectrum_controlled\(suffix).svg")
        return chart
    }

    /// One row per frequency: energy before and after, the share explained, the residual's null test.
    static func csv(_ c: FrequencyControl) -> CSVTable {
        var table = CSVTable(header: ["k", "period", "energy_before", "energy_after", "explained", "z_after", "q_after", "outlier_after"])
        let before = c.energyBefore, after = c.residual.spectrum.basisEnergy, test = c.residual.test
        for k in c.residual.spectrum.frequencies {
            table.append([.integer(k), .optional(c.residual.spectrum.period(k)), .number(before[k]), .number(after[k]),
                          .number(before[k] > 0 ? 1 - after[k] / before[k] : 0), .optional(test.z[k]), .optional(test.qValue[k]),
                          .flag(test.outlier[k])])
        }
        return table
    }

    /// "T=2, T=5 survive the frequency control (key-period energy 41.2 → 30.5; log-count explains 0.26 of it)".
    public static func sentence(_ c: FrequencyControl) -> String {
        let surviving = c.keys.filter(\.outlierAfter).map { "T=\(format($0.period))" }
        let before = c.keys.filter(\.outlierBefore).map { "T=\(format($0.period))" }
        let which = surviving.isEmpty ? "no key period survives the frequency control"
            : "\(surviving.joined(separator: ", ")) \(surviving.count == 1 ? "survives" : "survive") the frequency control"
        let explained = c.keyEnergyBefore > 0 ? 1 - c.keyEnergyAfter / c.keyEnergyBefore : 0
        return "\(which) (outliers before: \(before.isEmpty ? "none" : before.joined(separator: ", "))); key-period energy \(format(c.keyEnergyBefore)) → \(format(c.keyEnergyAfter)), log-count explains \(format(explained)) of it and \(format(c.varianceExplained)) of all the energy at k ≥ 1"
    }

    static func modelDescription(_ c: FrequencyControl) -> String {
        let press = c.candidates.map { "\($0.knots): \(format($0.press))" }.joined(separator: ", ")
        let spline = c.knots.isEmpty ? "a straight line in z (2 knots)"
            : "a natural cubic spline in z with \(c.knots.count) knots at z = \(c.knots.map(format).joined(separator: ", "))"
        return "\(spline); chosen by leave-one-out error (PRESS by knot count: \(press))"
    }

    static func sections(_ c: FrequencyControl, chart: String, side: String? = nil, suffix: String = "") -> [ReportPage.Section] {
        let of = side.map { " (\($0))" } ?? ""
        let rows = c.keys.map { key in
            ["T=\(format(key.period))", String(key.k), format(key.energyBefore), format(key.energyAfter), format(key.explained),
             key.qBefore.map(format) ?? "–", key.qAfter.map(format) ?? "–", key.outlierAfter ? "yes" : "no"]
        }
        return [
            .heading("Frequency control\(of)"),
            .paragraph(sentence(c) + "."),
            .keyValues(caption: "The model\(of)", pairs: [
                ("counts", "\(c.counts.file):\(NumberCounts.dataset)" + (c.counts.corpus.map { " (corpus: \($0))" } ?? "")),
                ("regressor", "z = log(1 + count) of each number"),
                ("fit of every column", modelDescription(c)),
                ("share of the energy at k ≥ 1 that z explains", format(c.varianceExplained)),
                ("key-period share of the residual's energy at k ≥ 1", format(c.residual.keyEnergyFraction)),
                ("residual's outliers (same null)", c.residual.test.outlierFrequencies.map { SpectrumRun.periodLabel($0, p: c.residual.p) }.joined(separator: ", ")),
            ]),
            .table(caption: "Key periods before and after the control\(of)",
                   header: ["period", "k", "energy before", "energy after", "share explained by frequency", "q before", "q after", "survives"],
                   rows: rows),
            .figure(id: "spectrum_controlled\(suffix)", svg: chart,
                    caption: "The residual's spectrum after regressing every column on the spline of log-count, with the same null as above."),
            .files([("frequency_control\(suffix).csv", "per frequency k: energy before and after the control, the share explained, the residual's z, q and outliers"),
                    ("spectrum_controlled\(suffix).svg", "the chart above")]),
        ]
    }

    // MARK: - summary.json

    public struct Summary: Codable {
        public struct Counts: Codable { let file: String, dataset: String, corpus: String?, tokenizer: String?, transform: String }
        public struct Candidate: Codable { let knots: Int, press: Double }
        public struct Key: Codable {
            public let period: Double, k: Int, energy_before: Double, energy_after: Double, explained: Double
            public let q_before: Double?, q_after: Double?, outlier_before: Bool, outlier_after: Bool
        }
        public let counts: Counts, basis: String, knots: [Double], knot_count: Int, candidates: [Candidate]
        public let variance_explained: Double, key_periods: [Key]
        public let key_energy_before: Double, key_energy_after: Double, key_energy_fraction_after: Double
        public let outlier_periods_after: [Double], surviving_periods: [Double], sentence: String
    }

    static func summary(_ c: FrequencyControl) -> Summary {
        Summary(counts: .init(file: c.counts.file, dataset: NumberCounts.dataset, corpus: c.counts.corpus, tokenizer: c.counts.tokenizer,
                              transform: "log(1 + count)"),
                basis: "natural cubic spline (ESL 5.4), knots at quantiles 0.05…0.95 of z, count by leave-one-out PRESS",
                knots: c.knots, knot_count: max(c.knots.count, 2),
                candidates: c.candidates.map { .init(knots: $0.knots, press: finite($0.press)) },
                variance_explained: c.varianceExplained,
                key_periods: c.keys.map {
                    .init(period: $0.period, k: $0.k, energy_before: $0.energyBefore, energy_after: $0.energyAfter, explained: $0.explained,
                          q_before: $0.qBefore, q_after: $0.qAfter, outlier_before: $0.outlierBefore, outlier_after: $0.outlierAfter)
                },
                key_energy_before: c.keyEnergyBefore, key_energy_after: c.keyEnergyAfter,
                key_energy_fraction_after: c.residual.keyEnergyFraction,
                outlier_periods_after: c.residual.test.outlierFrequencies.map { Double(c.residual.p) / Double($0) },
                surviving_periods: c.survivingPeriods, sentence: sentence(c))
    }
}
