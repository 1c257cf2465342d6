import Foundation

/// Writes a boolean run: functions.csv, degrees.csv, coefficients.csv, degrees.svg,
/// sensitivity.svg (and layers.svg with activations), summary.json and index.html.
public enum BooleanReport {
    public static func write(_ result: BooleanResult, to output: OutputDirectory) throws {
        try output.write(functionsCSV(result).render(), to: "functions.csv")
        try output.write(degreesCSV(result).render(), to: "degrees.csv")
        try output.write(coefficientsCSV(result).render(), to: "coefficients.csv")
        var charts = [("degrees", degreesSVG(result)), ("sensitivity", sensitivitySVG(result))]
        if !result.activations.isEmpty { charts.append(("layers", layersSVG(result))) }
        for (name, svg) in charts { try output.write(svg, to: "\(name).svg") }
        try output.write(try encodeJSON(summary(result)), to: "summary.json")
        try output.write(page(result, charts: Dictionary(uniqueKeysWithValues: charts)).html(), to: "index.html")
    }

    static func allFunctions(_ r: BooleanResult) -> [FunctionSummary] { r.functions + r.activations }

    // MARK: - CSV

    public static func functionsCSV(_ r: BooleanResult) -> CSVTable {
        var table = CSVTable(header: ["function", "role", "columns", "mean_square", "variance", "average_sensitivity",
                                      "sensitivity_low", "sensitivity_high", "sensitivity_upper_bound", "flip_sensitivity",
                                      "flip_sensitivity_low", "flip_sensitivity_high", "mean_degree"]
                                     + r.options.rho.map { "stability_rho_\(format($0))" })
        for f in allFunctions(r) {
            table.append([.text(f.name), .text(f.role.rawValue), .integer(f.columns), .number(f.total.value),
                          .number(f.total.value - (f.degreeEnergy.first?.value ?? 0)), .number(f.sensitivity.value),
                          .optional(f.sensitivity.low), .optional(f.sensitivity.high), .optional(f.sensitivityUpperBound?.value),
                          .optional(f.flipSensitivity?.value), .optional(f.flipSensitivity?.low), .optional(f.flipSensitivity?.high),
                          .optional(f.meanDegree)] + f.stability.map(CSVTable.Value.number))
        }
        return table
    }

    public static func degreesCSV(_ r: BooleanResult) -> CSVTable {
        var table = CSVTable(header: ["function", "role", "degree", "energy", "energy_low", "energy_high", "share_of_variance"])
        for f in allFunctions(r) {
            let profile = f.profile
            for (k, e) in f.degreeEnergy.enumerated() {
                table.append([.text(f.name), .text(f.role.rawValue), .integer(k), .number(e.value), .optional(e.low), .optional(e.high),
                              k == 0 ? .missing : .number(profile[k - 1])])
            }
        }
        return table
    }

    public static func coefficientsCSV(_ r: BooleanResult) -> CSVTable {
        // A sample adds the simultaneous (Bonferroni) interval and whether it excludes 0.
        var table = CSVTable(header: ["function", "rank", "set", "degree", "coefficient", "low", "high", "column"]
                             + (r.exact ? [] : ["simultaneous_low", "simultaneous_high", "significant"]))
        for f in allFunctions(r) {
            for (i, c) in f.top.enumerated() {
                table.append([.text(f.name), .integer(i + 1), .text(Coefficient.describe(c.set)), .integer(c.degree), .number(c.value),
                              .optional(c.interval?.lowerBound), .optional(c.interval?.upperBound),
                              c.column.map(CSVTable.Value.integer) ?? .missing]
                             + (r.exact ? [] : [.optional(c.simultaneous?.lowerBound), .optional(c.simultaneous?.upperBound),
                                                c.significant.map(CSVTable.Value.flag) ?? .missing]))
            }
        }
        return table
    }

    // MARK: - Charts

    static func degreesSVG(_ r: BooleanResult) -> String {
        let degrees = (r.functions.map { $0.degreeEnergy.count }.max() ?? 1) - 1
        let chart = BarChart(title: "Energy by degree |S|" + (r.exact ? "" : " (estimated, |S| ≤ \(degrees))"),
                             yLabel: "share of the variance (the energy at |S| ≥ 1)",
                             categories: (1...max(1, degrees)).map { "|S| = \($0)" },
                             series: r.functions.map { f in
                                 // A sample's unbiased shares can fall outside [0, 1] by chance: drawn clipped,
                                 // with each estimate's 95% interval (clipped too) as a whisker.
                                 var series = BarChart.Series(name: f.name, values: r.exact ? f.profile : f.clippedProfile.map(\.value))
                                 if !r.exact {
                                     series.errors = f.clippedProfile.map { e in
                                         guard let low = e.low, let high = e.high else { return nil }
                                         return low...max(low, high)
                                     }
                                 }
                                 return series
                             })
        return chart.svg()
    }

    /// as(f) divided by Var f (the mean degree of f's energy at |S| ≥ 1, at most n): a logit
    /// difference's as = 224.5 and a ±1 decision's 3.008 share one axis without hiding the latter.
    /// The raw as(f) is in each bar's hover text; sampled estimates carry their 95% intervals.
    static func sensitivitySVG(_ r: BooleanResult) -> String {
        let variances = r.functions.map { $0.total.value - ($0.degreeEnergy.first?.value ?? 0) }
        let perVariance = { (x: Double, i: Int) in variances[i] > 0 ? x / variances[i] : 0 }
        var series = BarChart.Series(name: r.exact ? "as(f) / Var f" : "Σ_{|S|≤K} |S| f̂(S)² / Var f",
                                     values: r.functions.indices.map { perVariance(r.functions[$0].sensitivity.value, $0) })
        series.notes = r.functions.indices.map { i in
            let f = r.functions[i]
            let flips = f.flipSensitivity.map { ", from flip pairs \(interval($0))" } ?? ""
            return "as(f) \(interval(f.sensitivity))\(flips), Var f \(format(variances[i]))"
        }
        if !r.exact {
            series.errors = r.functions.indices.map { i in
                let e = r.functions[i].sensitivity
                guard let low = e.low, let high = e.high else { return nil }
                return perVariance(low, i)...max(perVariance(low, i), perVariance(high, i))
            }
        }
        var chart = BarChart(title: r.exact ? "Average sensitivity per unit variance as(f) / Var f" : "Average sensitivity per unit variance: low-degree part (bars)" + (r.flipPairs == nil ? "" : ", from flip pairs (marks)"),
                             yLabel: "as(f) / Var f (mean degree)", categories: r.functions.map(\.name), series: [series])
        if r.flipPairs != nil {
            chart.reference = r.functions.indices.map { i in r.functions[i].flipSensitivity.map { perVariance($0.value, i) } }
            chart.referenceName = "as(f) / Var f from flip pairs"
        }
        return chart.svg()
    }

    /// Per activation dataset (layer), the shares of its variance at degrees 1, 2, 3 and above.
    static func layersSVG(_ r: BooleanResult) -> String {
        let shown = min(3, (r.activations.first?.degreeEnergy.count ?? 2) - 1)
        var series = (1...max(1, shown)).map { k in BarChart.Series(name: "|S| = \(k)", values: r.activations.map { $0.profile[safe: k - 1] ?? 0 }) }
        if r.exact, r.n > shown {
            series.append(BarChart.Series(name: "|S| > \(shown)", values: r.activations.map { $0.profile.dropFirst(shown).reduce(0, +) }))
        }
        return BarChart(title: "Activations: energy by degree per layer (summed over columns)", yLabel: "share of the variance",
                        categories: r.activations.map(\.name), series: series).svg()
    }

    // MARK: - Page

    static func designDescription(_ r: BooleanResult) -> String {
        r.exact ? "full cube, all 2^\(r.n) = \(r.rows) strings: exact transform"
            : "sample of \(r.sampleRows ?? r.rows) strings (of 2^\(r.n)): estimates with 95% intervals" + (r.flipPairs.map { ", \($0) flip pairs" } ?? "")
    }

    /// "97.5%", or "97.5% [96.1%, 98.9%]".
    static func percent(_ e: Estimate) -> String {
        func p(_ x: Double) -> String { format(100 * x) + "%" }
        guard let low = e.low, let high = e.high else { return p(e.value) }
        return "\(p(e.value)) [\(p(max(0, low))), \(p(min(1, high)))]"
    }

    /// "agrees with the target on 0%, with its negation on 100%; ⟨f, target⟩ = −0.8: it follows the negated target".
    static func comparison(_ c: TargetComparison) -> String {
        let verdict = switch c.verdict {
        case .target: "it follows the target"
        case .negation: "it follows the negated target (−target)"
        case .neither: "it follows neither (agreement near 1/2)"
        }
        return "agrees with the target on \(percent(c.agreement)), with its negation on \(percent(c.negatedAgreement)); "
            + "⟨f, target⟩ = E[f·target] = \(interval(c.correlation)): \(verdict)"
    }

    static func interval(_ e: Estimate) -> String {
        guard let low = e.low, let high = e.high else { return format(e.value) }
        return "\(format(e.value)) [\(format(low)), \(format(high))]"
    }

    static func bounds(_ range: ClosedRange<Double>) -> String { "[\(format(range.lowerBound)), \(format(range.upperBound))]" }

    /// A row of the page's coefficient table; a sample adds the simultaneous interval and the flag.
    static func coefficientRow(_ f: FunctionSummary, rank: Int, _ c: Coefficient, exact: Bool) -> [String] {
        let name: String = f.name + (c.column.map { "[\($0)]" } ?? "")
        let value: String = c.interval.map { format(c.value) + " " + bounds($0) } ?? format(c.value)
        var row: [String] = [name, String(rank), Coefficient.describe(c.set), String(c.degree), value]
        if !exact {
            row.append(c.simultaneous.map(bounds) ?? "–")
            row.append(c.significant.map { $0 ? "yes" : "no" } ?? "–")
        }
        return row
    }

    static func page(_ r: BooleanResult, charts: [String: String]) -> ReportPage {
        var pairs: [(String, String)] = [("input", r.file), ("design", designDescription(r)), ("bits n", String(r.n))]
        if let target = r.target { pairs.append(("target", target.description + " (compared as ±1; decisions: output > \(format(r.options.threshold)))")) }
        for c in r.comparisons {
            pairs.append(("sign(\(c.output)) against the target", comparison(c)))
        }
        var header: [String] = ["function", "role", r.exact ? "as(f)" : "as, |S| ≤ \(r.options.maxDegree) (lower bound)"]
        if !r.exact { header.append("as upper bound") }
        if r.flipPairs != nil { header.append("as from flip pairs") }
        header.append("mean degree")
        header += r.options.rho.map { (rho: Double) -> String in "Stab_" + format(rho) + (r.exact ? "" : " (|S| ≤ K)") }
        let rows = allFunctions(r).map { (f: FunctionSummary) -> [String] in
            var row: [String] = [f.name + (f.columns > 1 ? " (\(f.columns) columns)" : ""), f.role.rawValue, interval(f.sensitivity)]
            if !r.exact { row.append(f.sensitivityUpperBound.map(interval) ?? "–") }
            if r.flipPairs != nil { row.append(f.flipSensitivity.map(interval) ?? "–") }
            row.append(f.meanDegree.map(format) ?? "–")
            return row + f.stability.map(format)
        }
        let coefficientRows = allFunctions(r).flatMap { f in
            f.top.prefix(10).enumerated().map { i, c in coefficientRow(f, rank: i + 1, c, exact: r.exact) }
        }
        if !r.exact {
            // Which coefficients survive the correction, per function (of those listed).
            for f in allFunctions(r) {
                let kept = f.top.filter { $0.significant == true }
                pairs.append(("\(f.name): coefficients significant after correction",
                              kept.isEmpty ? "none" : kept.map { Coefficient.describe($0.set) + ($0.column.map { "[\($0)]" } ?? "") }.joined(separator: " ")))
            }
        }
        var sections: [ReportPage.Section] = [
            .keyValues(caption: "Key numbers", pairs: pairs),
            .figure(id: "degrees", svg: charts["degrees"]!, caption: "Each function's Fourier energy W_k = Σ_{|S|=k} f̂(S)² at degree k, as a share of its variance (the constant f̂(∅)² left out)." + (r.exact ? "" : " Estimated from the sample (only degrees up to --max-degree) by an unbiased estimator, which can fall below 0 or above 1 by chance: shown clipped to [0, 1]; degrees.csv keeps the unclipped values and their intervals; whiskers: each estimate's 95% interval.")),
            .table(caption: "Sensitivity and stability", header: header, rows: rows),
            .figure(id: "sensitivity", svg: charts["sensitivity"]!, caption: "Average sensitivity as(f) = Σ_S |S| f̂(S)² = Σᵢ Inf_i(f), divided by the variance Var f = Σ_{S≠∅} f̂(S)² so that functions of any scale share the axis (a ±1-valued function with mean 0 keeps its as(f): the expected number of single-bit flips that change its value); hover shows the raw as(f)." + (r.exact ? "" : " Whiskers: the sampled estimate's 95% interval.") + " The target's bar is what the learned function should match."),
            .table(caption: "Largest coefficients (sets of input columns, from 0; an activation's over all its columns, name[column])"
                   + (r.exact ? "" : ". f̂(S) with its own 95% interval; the simultaneous interval holds for all the coefficients estimated at once (Bonferroni over every S ≠ ∅ with |S| ≤ \(r.options.maxDegree), and every column): a coefficient is significant when it excludes 0"),
                   header: ["function", "rank", "set S", "|S|", "f̂(S)"] + (r.exact ? [] : ["simultaneous 95%", "significant"]), rows: coefficientRows),
        ]
        if let layers = charts["layers"] {
            sections.append(.figure(id: "layers", svg: layers, caption: "Per activation dataset, the Fourier energy of its columns summed, by degree, as a share of their variance."))
        }
        sections.append(.files([("functions.csv", "one row per function: mean square, variance, sensitivity (with intervals), mean degree, noise stability"),
                                ("degrees.csv", "one row per function and degree: energy W_k (with intervals) and its share of the variance"),
                                ("coefficients.csv", "the largest coefficients of each function (an activation's over its columns, with the column), with their sets and intervals"),
                                ("summary.json", "inputs, options and every number above, for scripts")]))
        return ReportPage(title: "FourierLens Boolean spectrum", subtitle: r.file, sections: sections)
    }

    // MARK: - summary.json

    struct Summary: Encodable {
        struct Input: Encodable { let file: String, n: Int, rows: Int, design: BooleanDump.Design, sample_rows: Int?, flip_pairs: Int? }
        struct Function: Encodable {
            let name: String, role: FunctionSummary.Role, columns: Int
            let degree_energy: [Estimate], share_of_variance: [Double], mean_square: Estimate
            let average_sensitivity: Estimate, sensitivity_upper_bound: Estimate?, flip_sensitivity: Estimate?, influence: [Estimate]?
            let mean_degree: Double?, noise_stability: [Double]
            let top: [Top]
        }
        struct Top: Encodable {
            let set: [Int], coefficient: Double, low: Double?, high: Double?, column: Int?
            let simultaneous_low: Double?, simultaneous_high: Double?, significant: Bool?
        }
        struct Comparison: Encodable {
            let output: String, agreement: Estimate, negated_agreement: Estimate, correlation: Estimate, follows: TargetComparison.Verdict
        }
        let tool: String, command: String, input: Input, options: BooleanOptions, exact: Bool, target: String?
        let functions: [Function], activations: [Function], comparisons: [Comparison]
    }

    static func summary(_ r: BooleanResult) -> Summary {
        func encode(_ f: FunctionSummary) -> Summary.Function {
            .init(name: f.name, role: f.role, columns: f.columns, degree_energy: f.degreeEnergy, share_of_variance: f.profile,
                  mean_square: f.total, average_sensitivity: f.sensitivity, sensitivity_upper_bound: f.sensitivityUpperBound,
                  flip_sensitivity: f.flipSensitivity, influence: r.influence[f.name], mean_degree: f.meanDegree,
                  noise_stability: f.stability,
                  top: f.top.map { c in .init(set: (0..<64).filter { c.set >> UInt64($0) & 1 == 1 }, coefficient: c.value,
                                              low: c.interval?.lowerBound, high: c.interval?.upperBound, column: c.column,
                                              simultaneous_low: c.simultaneous?.lowerBound, simultaneous_high: c.simultaneous?.upperBound,
                                              significant: c.significant) })
        }
        return Summary(tool: BuildIdentity.tool, command: "boolean",
                       input: .init(file: r.file, n: r.n, rows: r.rows, design: r.design, sample_rows: r.sampleRows, flip_pairs: r.flipPairs),
                       options: r.options, exact: r.exact, target: r.target?.description,
                       functions: r.functions.map(encode), activations: r.activations.map(encode),
                       comparisons: r.comparisons.map { .init(output: $0.output, agreement: $0.agreement, negated_agreement: $0.negatedAgreement,
                                                              correlation: $0.correlation, follows: $0.verdict) })
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}

extension Findings {
    /// The design, each function's sensitivity and degree profile, and the answer against the target.
    public static func boolean(_ r: BooleanResult) -> [String] {
        var lines = ["boolean spectrum of \(r.file): n = \(r.n) bits, \(BooleanReport.designDescription(r))"]
        let header = ["function", r.exact ? "as(f)" : "as (|S| ≤ \(r.options.maxDegree))"] + (r.flipPairs == nil ? [] : ["as (flip pairs)"])
            + ["mean degree", "share at |S| = 1, 2, 3" + (r.exact ? "" : " (clipped to [0, 1], 95% interval)")]
        let rows = (r.functions + r.activations).map { f in
            [f.name, BooleanReport.interval(f.sensitivity)] + (r.flipPairs == nil ? [] : [f.flipSensitivity.map(BooleanReport.interval) ?? "–"])
                + [f.meanDegree.map(format) ?? "–",
                   r.exact ? f.profile.prefix(3).map(format).joined(separator: ", ")
                           : f.clippedProfile.prefix(3).map(BooleanReport.interval).joined(separator: ", ")]
        }
        lines += table(header, rows)
        if let target = r.functions.first(where: { $0.role == .target }) {
            for c in r.comparisons {
                guard let decisions = r.functions.first(where: { $0.name == "sign(\(c.output))" }) else { continue }
                let measure = { (f: FunctionSummary) in f.flipSensitivity ?? f.sensitivity }
                lines.append("sign(\(c.output)) against \(target.name): \(BooleanReport.comparison(c)); "
                             + "as \(format(measure(decisions).value)) against the target's \(format(measure(target).value)), "
                             + "mean degree \(decisions.meanDegree.map(format) ?? "–") against \(target.meanDegree.map(format) ?? "–")")
            }
        }
        return lines
    }
}
