import Foundation

/// The options of a boolean run, named as their command-line flags in summary.json.
public struct BooleanOptions: Sendable, Codable, Equatable {
    /// Coefficients listed per function.
    public var top = 20
    /// Noise-stability correlations ρ.
    public var rho: [Double] = [0.5, 0.9]
    /// Samples: the largest degree whose coefficients are estimated.
    public var maxDegree = 2
    /// The target, as given (TargetFunction.syntax).
    public var target: String? = nil
    /// Outputs above it are decisions +1, the rest −1 (0 for logits and ±1 labels; 0.5 for probabilities).
    public var threshold = 0.0
    /// The output columns analysed, by name or index (nil: all).
    public var columns: [String]? = nil
    public init() {}

    enum CodingKeys: String, CodingKey {
        case top, rho, target, threshold, columns
        case maxDegree = "max_degree"
    }
}

/// What was measured on one function (an output column, its decisions, the target) or, summed
/// over its columns, one activation dataset.
public struct FunctionSummary: Sendable {
    public enum Role: String, Sendable, Codable { case output, decision, target, activation }
    public let name: String
    public let role: Role
    /// Columns summed (activations), else 1.
    public var columns = 1
    /// W_0 … W_n exactly (cube), or W_0 … W_K estimated (sample).
    public let degreeEnergy: [Estimate]
    /// E[f²].
    public let total: Estimate
    /// as(f): exact on the cube; on a sample its low-degree part Σ_{|S| ≤ K} |S| f̂(S)².
    public let sensitivity: Estimate
    /// Samples: the upper bound on as(f) (see SampledSpectrum).
    public var sensitivityUpperBound: Estimate? = nil
    /// Samples with flip pairs: as(f) over all degrees from the pairs.
    public var flipSensitivity: Estimate? = nil
    /// Σ ρ^|S| f̂(S)² per option ρ (on a sample: over |S| ≤ K).
    public let stability: [Double]
    public let top: [Coefficient]

    /// Whether degreeEnergy covers every degree (false on a sample: degrees ≤ K only).
    public var complete = true

    /// as(f) / Var f: from every degree's energy, or on a sample from the flip pairs' as (nil without them).
    public var meanDegree: Double? {
        if complete { return BooleanMeasures.meanDegree(degreeEnergy.map(\.value)) }
        let variance = total.value - (degreeEnergy.first?.value ?? 0)
        guard let flips = flipSensitivity, variance > 0 else { return nil }
        return flips.value / variance
    }
    /// W_k over the non-constant energy, k = 1, 2, …; on a sample over the estimated variance.
    public var profile: [Double] {
        let variance = total.value - (degreeEnergy.first?.value ?? 0)
        return degreeEnergy.dropFirst().map { variance > 0 ? $0.value / variance : 0 }
    }
    /// The shares with W_k's interval over the same variance, each clipped to [0, 1] for display:
    /// a sample's unbiased W_k can fall below 0 or its share above 1 by chance.
    public var clippedProfile: [Estimate] {
        let variance = total.value - (degreeEnergy.first?.value ?? 0)
        func share(_ x: Double) -> Double { variance > 0 ? min(1, max(0, x / variance)) : 0 }
        return degreeEnergy.dropFirst().map { e in
            Estimate(value: share(e.value), low: e.low.map(share), high: e.high.map(share))
        }
    }
}

/// How an output column's decisions agree with the target. A function can learn the target up
/// to its sign (a logit of "the answer is 0"), so the negation is reported beside it.
public struct TargetComparison: Sendable {
    public enum Verdict: String, Sendable, Codable { case target, negation, neither }
    public let output: String
    /// The share of strings where the decision equals the target (on a sample: with its interval).
    public let agreement: Estimate
    /// The share where it equals −target: 1 − agreement.
    public let negatedAgreement: Estimate
    /// ⟨f, t⟩ = E[f(x) t(x)], the raw output against the ±1 target (on a sample: with its interval).
    public let correlation: Estimate

    /// Which the decisions follow: the target or its negation when agreement is above or below
    /// 1/2 (on a sample: its whole interval), else neither.
    public var verdict: Verdict {
        if (agreement.low ?? agreement.value) > 0.5 { return .target }
        if (agreement.high ?? agreement.value) < 0.5 { return .negation }
        return .neither
    }

    /// Over `rows` (every string of the cube, or a sample's kept rows).
    static func measure<V: RandomAccessCollection<Double>>(output: String, values: V, decisions: [Double], target: [Double],
                                                          rows: some Collection<Int>, exact: Bool) -> TargetComparison where V.Index == Int {
        let m = Double(rows.count)
        let agree = rows.reduce(0.0) { $0 + (decisions[$1] == target[$1] ? 1 : 0) } / m
        let mean = rows.reduce(0.0) { $0 + values[$1] * target[$1] } / m
        guard !exact else {
            return TargetComparison(output: output, agreement: .exact(agree), negatedAgreement: .exact(1 - agree), correlation: .exact(mean))
        }
        let z = SampledSpectrum.zQuantile
        let se = (agree * (1 - agree) / m).squareRoot()
        let variance = rows.reduce(0.0) { $0 + (values[$1] * target[$1] - mean) * (values[$1] * target[$1] - mean) } / max(m - 1, 1)
        return TargetComparison(output: output, agreement: .interval(agree, standardError: se, quantile: z),
                                negatedAgreement: .interval(1 - agree, standardError: se, quantile: z),
                                correlation: .interval(mean, standardError: (variance / m).squareRoot(), quantile: z))
    }
}

/// What a boolean run found: the hand-off from the analysis to the report writers.
public struct BooleanResult: Sendable {
    public let file: String
    public let n: Int
    public let rows: Int
    public let design: BooleanDump.Design
    public let options: BooleanOptions
    public let target: TargetFunction?
    public var functions: [FunctionSummary] = []
    public var activations: [FunctionSummary] = []
    public var comparisons: [TargetComparison] = []
    /// Samples: the rows the estimates use (partners of flip pairs left out) and the pairs.
    public var sampleRows: Int? = nil
    public var flipPairs: Int? = nil
    public var influence: [String: [Estimate]] = [:]
    /// The output columns analysed.
    public var selected: Set<Int> = []

    public var exact: Bool { design == .cube }
}

public enum BooleanRun {
    public static func run(_ dump: BooleanDump, options: BooleanOptions) throws -> BooleanResult {
        let target = try options.target.map { try TargetFunction.parse($0, n: dump.n, columns: dump.outputs.names) }
        var result = BooleanResult(file: dump.path, n: dump.n, rows: dump.rows, design: dump.design, options: options, target: target)
        result.selected = try selectedColumns(options.columns, names: dump.outputs.names)
        switch dump.design {
        case .cube: try runCube(dump, into: &result)
        case .sample: try runSample(dump, into: &result)
        }
        return result
    }

    static func decision(_ value: Double, threshold: Double) -> Double { value > threshold ? 1 : -1 }

    /// Output columns by name or index; all when none are given.
    static func selectedColumns(_ given: [String]?, names: [String]) throws -> Set<Int> {
        guard let given else { return Set(names.indices) }
        return Set(try given.map { item in
            if let index = names.firstIndex(of: item) { return index }
            guard let index = Int(item), names.indices.contains(index) else {
                throw FourierLensError.badInput(file: "--columns", dataset: "-",
                    expected: "output columns among \(names.joined(separator: ", ")) or indices within \(indexRange(names.count)) (found \(item))")
            }
            return index
        })
    }

    // MARK: - The full cube: exact

    static func runCube(_ dump: BooleanDump, into result: inout BooleanResult) throws {
        try dump.requireCube()
        let options = result.options, n = dump.n, size = 1 << n
        let memory = try CubeMemory(n: n, widths: [dump.outputs.width] + dump.activations.map(\.width))
        let targetColumn: Int? = if case let .column(c) = result.target { c } else { nil }
        // The first pass learns where each row goes; a table is kept only if another pass follows.
        let layout = CubeLayout(keepsOrder: targetColumn != nil || dump.outputs.width > memory.group || !dump.activations.isEmpty)
        var targetValues: [Double]? = nil
        if let target = result.target {
            if case let .column(c) = target {
                targetValues = try CubeColumns.column(c, of: dump.outputs, in: dump, layout: layout, memory: memory).map { decision($0, threshold: options.threshold) }
            } else {
                targetValues = (0..<size).map { target.value(UInt64($0))! }
            }
        }
        var decisions = targetValues.map { _ in [Double](repeating: 0, count: size) }
        var outputs: [FunctionSummary] = [], derived: [FunctionSummary] = []
        try CubeColumns.forEach(dump.outputs, in: dump, layout: layout, memory: memory) { c, values in
            guard result.selected.contains(c) else { return }
            let name = dump.outputs.names[c]
            if let targetValues, c != targetColumn {
                for s in 0..<size { decisions![s] = decision(values[s], threshold: options.threshold) }
                result.comparisons.append(.measure(output: name, values: values, decisions: decisions!, target: targetValues,
                                                   rows: 0..<size, exact: true))
                let summary = try decisions!.withUnsafeMutableBufferPointer { try WalshSpectrum.transform($0, n: n, top: options.top) }
                derived.append(exactSummary(summary, name: "sign(\(name))", role: .decision, options: options))
            }
            outputs.append(exactSummary(try WalshSpectrum.transform(values, n: n, top: options.top), name: name, role: .output, options: options))
        }
        result.functions = outputs + derived
        if var targetValues, let target = result.target {
            let name = targetColumn.map { "sign(\(dump.outputs.names[$0]))" } ?? target.description
            let spectrum = try targetValues.withUnsafeMutableBufferPointer { try WalshSpectrum.transform($0, n: n, top: options.top) }
            result.functions.append(exactSummary(spectrum, name: name, role: .target, options: options))
        }
        for source in dump.activations {
            // The columns' energies add by degree; the largest coefficients over every column.
            var energy = [Double](repeating: 0, count: n + 1), top: [Coefficient] = []
            try CubeColumns.forEach(source, in: dump, layout: layout, memory: memory) { c, values in
                let spectrum = try WalshSpectrum.transform(values, n: n, top: options.top)
                for k in 0...n { energy[k] += spectrum.degreeEnergy[k] }
                top = Array(WalshSpectrum.ranked(top + spectrum.top.map { var t = $0; t.column = c; return t }).prefix(options.top))
            }
            var summary = exactSummary(WalshSpectrum(n: n, degreeEnergy: energy, top: top, mean: .nan), name: source.label,
                                       role: .activation, options: options)
            summary.columns = source.width
            result.activations.append(summary)
        }
    }

    static func exactSummary(_ s: WalshSpectrum, name: String, role: FunctionSummary.Role, options: BooleanOptions) -> FunctionSummary {
        FunctionSummary(name: name, role: role, degreeEnergy: s.degreeEnergy.map(Estimate.exact), total: .exact(s.total),
                        sensitivity: .exact(s.averageSensitivity), stability: options.rho.map(s.noiseStability), top: s.top)
    }

    // MARK: - A sample: estimates with intervals

    static func runSample(_ dump: BooleanDump, into result: inout BooleanResult) throws {
        let options = result.options, n = dump.n
        let count = SampledSpectrum.setCount(n: n, maxDegree: options.maxDegree)
        guard count <= 1_000_000 else {
            throw FourierLensError.badInput(file: dump.path, dataset: "--max-degree",
                expected: "at most 10^6 sets of degree ≤ \(options.maxDegree) among n = \(n) bits, found \(count); lower --max-degree")
        }
        let indices = try BitStrings.sampleIndices(dump)
        let pairs = dump.hasFlipPairs ? try FlipPairs.read(dump, indices: indices) : nil
        let partners = pairs?.partners ?? []
        let kept = (0..<dump.rows).filter { !partners.contains($0) }
        guard kept.count >= SampledSpectrum.minimumRows else {
            throw FourierLensError.badInput(file: dump.path, dataset: BooleanRoles.inputsPath,
                expected: "a sample of at least \(SampledSpectrum.minimumRows) strings (flip partners aside), found \(kept.count)")
        }
        result.sampleRows = kept.count
        result.flipPairs = pairs?.first.count
        let sets = SampledSpectrum.lowDegreeSets(n: n, maxDegree: options.maxDegree)
        let keptIndices = kept.map { indices[$0] }

        /// One function's estimates, or a vector-valued one's (activations) summed over its columns.
        func summarise(_ columns: [[Double]], name: String, role: FunctionSummary.Role) -> FunctionSummary {
            let spectra = columns.map { values in
                SampledSpectrum.estimate(indices: keptIndices, values: kept.map { values[$0] }, n: n, sets: sets)
            }
            let s = spectra.count == 1 ? spectra[0] : SampledSpectrum.summed(spectra, top: options.top)
            var summary = FunctionSummary(name: name, role: role, degreeEnergy: s.degreeEnergy, total: s.total,
                                          sensitivity: s.lowDegreeSensitivity,
                                          stability: options.rho.map { BooleanMeasures.noiseStability(s.degreeEnergy.map(\.value), rho: $0) },
                                          top: s.top(options.top))
            summary.sensitivityUpperBound = s.sensitivityUpperBound
            summary.complete = false
            summary.columns = columns.count
            if let pairs {
                let flips = pairs.sensitivity(columns: columns, n: n)
                summary.flipSensitivity = flips.total
                result.influence[name] = flips.influence
            }
            return summary
        }

        let outputs = try readColumns(dump.outputs, dump: dump)
        var targetColumn: Int? = nil
        var targetValues: [Double]? = nil
        if let target = result.target {
            if case let .column(c) = target {
                targetColumn = c
                targetValues = outputs[c].map { decision($0, threshold: options.threshold) }
            } else {
                targetValues = indices.map { target.value($0)! }
            }
        }
        var derived: [FunctionSummary] = []
        for (c, values) in outputs.enumerated() where result.selected.contains(c) {
            let name = dump.outputs.names[c]
            result.functions.append(summarise([values], name: name, role: .output))
            guard let targetValues, c != targetColumn else { continue }
            let decisions = values.map { decision($0, threshold: options.threshold) }
            result.comparisons.append(.measure(output: name, values: values, decisions: decisions, target: targetValues, rows: kept, exact: false))
            derived.append(summarise([decisions], name: "sign(\(name))", role: .decision))
        }
        result.functions += derived
        if let targetValues, let target = result.target {
            let name = targetColumn.map { "sign(\(dump.outputs.names[$0]))" } ?? target.description
            result.functions.append(summarise([targetValues], name: name, role: .target))
        }
        for source in dump.activations {
            result.activations.append(summarise(try readColumns(source, dump: dump), name: source.label, role: .activation))
        }
    }

    /// Every column of a sample's dataset, as float64 arrays.
    static func readColumns(_ source: ColumnSource, dump: BooleanDump) throws -> [[Double]] {
        guard MemoryBudget.fits(saturatingMultiply(dump.rows, source.width), bytesEach: 8) else {
            throw FourierLensError.badInput(file: dump.path, dataset: source.path,
                expected: "a sample that fits in memory; \(MemoryBudget.shortfall(saturatingMultiply(dump.rows, source.width), bytesEach: 8))")
        }
        var columns = [[Double]](repeating: [], count: source.width)
        try source.forEachBlock(dump.file, columns: 0..<source.width, blockRows: 1 << 14, rows: dump.rows) { _, values in
            let g = source.width
            for r in 0..<(values.count / g) { for c in 0..<g { columns[c].append(values[r * g + c]) } }
        }
        return columns
    }
}
