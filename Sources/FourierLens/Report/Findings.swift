/// The few lines a command prints on the terminal: what it found, before the report's path.
public enum Findings {
    /// Columns padded to their widest cell, the first left-aligned, the rest right-aligned.
    static func table(_ header: [String], _ rows: [[String]], indent: String = "  ") -> [String] {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { c < $0.count ? $0[c].count : 0 }.max() ?? 0 }
        return all.map { row in
            indent + row.enumerated().map { c, cell in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return c == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
    }

    /// The periodic outliers, strongest first, at most `limit` of them, one per line.
    static func outliers(_ result: SpectrumResult, limit: Int = 8) -> [String] {
        let ks = result.periodicOutliers.sorted { (result.test.z[$0] ?? 0) > (result.test.z[$1] ?? 0) }
        var lines = ks.prefix(limit).map { k in
            "  \(SpectrumRun.periodLabel(k, p: result.p)) (k = \(k)): z \(format(result.test.z[k] ?? .nan)), p \(format(result.test.pValue[k] ?? .nan)), q \(format(result.test.qValue[k] ?? .nan))"
        }
        if ks.count > limit { lines.append("  … and \(ks.count - limit) more (summary.json)") }
        return lines
    }

    public static func spectrum(_ result: SpectrumResult) -> [String] {
        ["spectrum of \(result.label): p = \(result.p) numbers, d = \(result.d) columns",
         "periodic outliers (q ≤ \(format(result.options.alpha)), null: \(SpectrumReport.nullDescription(result))): \(result.periodicOutliers.count)"]
            + outliers(result)
            + ["slow trend: \(SpectrumReport.trendDescription(result))",
               "key periods \(result.options.keyPeriods.map { format($0) }.joined(separator: ", ")): \(format(result.keyEnergyFraction)) of the energy at k ≥ 1",
               "key set by gap: \(SpectrumReport.describe(result.keySetByGap, p: result.p))",
               "key set by fraction \(format(result.options.keyFraction)): \(SpectrumReport.describe(result.keySetByFraction, p: result.p))"]
            + frequencyControl(result)
    }

    /// `--control-frequency`: one line, which key periods survive it.
    static func frequencyControl(_ result: SpectrumResult, name: String? = nil) -> [String] {
        guard let c = result.frequencyControl else { return [] }
        return ["\(name.map { $0 + ": " } ?? "")" + FrequencyControlReport.sentence(c)]
    }

    /// Per metric, a table of every source's held-out scores, the shuffled-label control in brackets.
    public static func probes(_ results: [ProbeResult]) -> [String] {
        guard let first = results.first else { return [] }
        var lines: [String] = []
        for (metric, _, label) in ProbeReport.metrics {
            let chosen = first.scores.indices.filter { first.scores[$0].metric == metric }
            guard !chosen.isEmpty else { continue }
            lines.append("\(label) (shuffled-label control in brackets):")
            let header = ["source"] + chosen.map { i in
                first.scores[i].probe + (metric == "accuracy" ? first.scores[i].chance.map { " (chance \(format($0)))" } ?? "" : "")
            }
            let rows = results.map { r in [r.source] + chosen.map { i in score(r.scores[i]) } }
            lines += table(header, rows)
        }
        return lines
    }

    static func score(_ s: ProbeScore) -> String {
        format(s.mean) + (s.controlMean.map { " (\(format($0)))" } ?? "")
    }

    public static func compare(_ result: CompareResult) -> [String] {
        var lines: [String] = []
        for (name, side) in [("A", result.a), ("B", result.b)] {
            let periods = side.periodicOutliers.map { SpectrumRun.periodLabel($0, p: side.p) }
            lines.append("\(name): \(side.label): \(periods.count) periodic outliers\(periods.isEmpty ? "" : " (" + periods.joined(separator: ", ") + ")")"
                         + (side.trendOutliers.isEmpty ? "" : "; slow trend \(SpectrumReport.periods(side.trendOutliers, p: side.p))"))
            lines.append("   key set by gap: \(SpectrumReport.describe(side.keySetByGap, p: side.p))")
        }
        let keyRatio = result.b.keyEnergyFraction > 0 ? result.a.keyEnergyFraction / result.b.keyEnergyFraction : .infinity
        lines.append("key-period share A / B: \(format(keyRatio)); high-frequency share A / B: \(format(result.highFrequencyRatio))")
        lines += frequencyControl(result.a, name: "A") + frequencyControl(result.b, name: "B")
        if let a = result.probesA, let b = result.probesB {
            lines.append("probes, A vs B (held-out; accuracy for mod m, R² otherwise):")
            lines += table(["probe", "metric", "A", "B", "chance"], zip(a.scores, b.scores).map { sa, sb in
                [sa.probe, sa.metric == "r2" ? "R²" : sa.metric, score(sa), score(sb), sa.chance.map(format) ?? "–"]
            })
        }
        return lines
    }
}
