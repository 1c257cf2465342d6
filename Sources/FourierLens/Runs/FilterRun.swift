/// What removing a band did to one layer's direct effect on the number logits.
public struct FilterEffect: Sendable {
    public let site: Site
    public let layer: Int
    /// The band's energy in the number logits (rows centred, k ≥ 1, summed over prompts) as a
    /// share of their energy before filtering: before, and after (same denominator).
    public let bandShareBefore: Double?
    public let bandShareAfter: Double?
    /// The number logits' energy (k ≥ 1) after filtering over the energy before.
    public let logitEnergyRatio: Double?
    /// ‖X'‖_F / ‖X‖_F over the prompts: how much of the activations' norm the filter keeps.
    public let normKept: Double?
    public let accuracyBefore: Double?
    public let accuracyAfter: Double?
    public let accuracyWithin2Before: Double?
    public let accuracyWithin2After: Double?
    public let meanAbsoluteLogitChange: Double
}

/// What a filter removed: the band, and the rank of the subspace of activation space it spans.
public struct FilterBand: Sendable, Equatable {
    public let selection: FrequencySelection
    public let p: Int
    public let removedFrequencies: [Int]
    public let rank: Int
    public let dModel: Int
    /// Whether W_num was folded into the final norm (`--fold-final-norm`).
    public var foldFinalNorm = false
    /// Whether the readouts are to be patched back together (`--joint`).
    public var joint = false
}

extension FourierFilter {
    public var band: FilterBand { FilterBand(selection: selection, p: p, removedFrequencies: removedFrequencies, rank: rank, dModel: dModel) }
}

public struct FilterResult: Sendable {
    public let filter: FilterBand
    public let readouts: [(site: Site, layer: Int)]
    public let effects: [FilterEffect]
    /// Prompts whose answer is not a number token: left out of the accuracies.
    public let answersNotNumbers: Int
    public let prompts: Int
}

public enum FilterRun {
    /// Per prompt and readout, what the summary is summed from (filter_prompts.h5's /filter/stats).
    public static let statistics = ["band_before", "energy_before", "band_after", "energy_after", "norm2_before", "norm2_after",
                                    "predicted_before", "predicted_after", "abs_logit_change"]

    /// W_num [d × p], the unembedding's number columns in number order, after checking that the
    /// numbers are contiguous and in W_U. With `foldFinalNorm`, as the model reads a residual
    /// through its final norm: diag(w)·W_num, and for a LayerNorm each column centred over d_model
    /// (the norm subtracts each activation's mean) — TransformerLens's fold_ln. The norm's
    /// positive scale 1/σ changes no frequency's presence, and its bias adds one fixed logit vector.
    public static func numberWeights(_ plan: LensPlan, foldFinalNorm: Bool) throws -> Matrix {
        let values = plan.numberValues, file = plan.file.path
        guard values.count >= 4, zip(values, values.dropFirst()).allSatisfy({ $1 > $0 && distance($1, $0) == 1 }) else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values",
                                            expected: "number tokens covering a contiguous range (the Fourier basis is over consecutive numbers)")
        }
        let columns = plan.numberTokens.compactMap { plan.unembedding.column(ofToken: $0) }
        guard columns.count == values.count else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/ids", expected: "every number token among the columns of W_U")
        }
        let weights = plan.unembedding.columns(columns)
        guard foldFinalNorm else { return weights }
        guard let norm = plan.norm else {
            throw FourierLensError.badInput(file: file, dataset: "/weights/ln_final.w", expected: "the final norm's weight for --fold-final-norm (the dump has none)")
        }
        return folded(weights, into: norm)
    }

    /// diag(w)·W, each column centred over the rows for a LayerNorm. W is [d × p].
    public static func folded(_ weights: Matrix, into norm: FinalNorm) -> Matrix {
        let d = weights.rows, p = weights.cols
        var result = weights
        for i in 0..<d {
            for j in 0..<p { result.values[i * p + j] = Float(Double(weights.values[i * p + j]) * Double(norm.weight[i])) }
        }
        guard norm.kind == .layerNorm else { return result }
        for j in 0..<p {
            var mean = 0.0
            for i in 0..<d { mean += Double(result.values[i * p + j]) }
            mean /= Double(d)
            for i in 0..<d { result.values[i * p + j] = Float(Double(result.values[i * p + j]) - mean) }
        }
        return result
    }

    /// The filter over `weights` (from `numberWeights`), after checking that τ is a frequency. A
    /// removed subspace as large as d_model takes the activations away entirely; it is refused
    /// unless `allowFullRank`.
    public static func prepare(_ plan: LensPlan, weights: Matrix, selection: FrequencySelection, allowFullRank: Bool) throws -> FourierFilter {
        let values = plan.numberValues, file = plan.file.path
        if let tau = selection.tau, !(tau >= 1 && tau <= values.count / 2) {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values", expected: "--tau within \(numberRange(1, values.count / 2)) (p = \(values.count)), found \(tau)")
        }
        let filter = try FourierFilter(numberUnembedding: weights, selection: selection)
        if filter.rank >= filter.dModel && !allowFullRank {
            let band = selection.describe(p: values.count)
            throw FourierLensError.badInput(file: file, dataset: "/weights/W_U",
                                            expected: "a removed subspace of rank below d_model = \(filter.dModel), found rank \(filter.rank) (removing \(band) would leave the activations empty); pass --allow-full-rank to filter anyway")
        }
        return filter
    }

    /// The key set (by gap, docs/METHODS.md "Key frequencies") of `weights` [d × p], the matrix
    /// whose Fourier basis the filter works in: `--keep key` and `--remove key`. A spectrum
    /// without a gap of `minimumRatio` has no key set: exit 2.
    public static func keySet(_ plan: LensPlan, weights: Matrix, minimumRatio: Double, from first: Int = 1) throws -> KeyFrequencies {
        let energy = SpectralAnalysis.spectrum(of: weights.transposed(), center: true).basisEnergy
        guard let set = KeyFrequencies.byGap(energy, minimumRatio: minimumRatio, from: first) else {
            throw FourierLensError.badInput(file: plan.file.path, dataset: "/weights/W_U",
                                            expected: "number columns whose spectrum has a key set (a gap of ×\(minimumRatio) between sorted energies); give the frequencies as --keep K,K,… or lower --key-min-gap")
        }
        return set
    }

    /// The readouts a filter writes: those asked for (not the KL reference read only for the lens).
    public static func asked(_ plan: LensPlan) -> [Int] {
        plan.sources.indices.filter { !(plan.referenceOnlyForKL && $0 == plan.referenceReadout) }
    }

    /// One block of one readout: the filtered rows and each row's statistics (`statistics`). Pure.
    public static func block(_ x: Matrix, filter: FourierFilter, weights: Matrix) -> (filtered: Matrix, statistics: [[Double]]) {
        let after = filter.apply(x)
        let p = weights.cols
        let before = LogitLens.numberProduct(x, weights, bias: nil), afterLogits = LogitLens.numberProduct(after, weights, bias: nil)
        let energyBefore = filter.rowEnergies(before, rows: x.rows), energyAfter = filter.rowEnergies(afterLogits, rows: x.rows)
        let stats = (0..<x.rows).map { r -> [Double] in
            let b = before[r * p ..< (r + 1) * p], a = afterLogits[r * p ..< (r + 1) * p]
            let (bandBefore, energyBefore) = energyBefore[r], (bandAfter, energyAfter) = energyAfter[r]
            let change = zip(b, a).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) }
            return [bandBefore, energyBefore, bandAfter, energyAfter, squaredNorm(x.row(r)), squaredNorm(after.row(r)),
                    Double(argmax(b) ?? -1), Double(argmax(a) ?? -1), change]
        }
        return (after, stats)
    }

    static func squaredNorm(_ row: ArraySlice<Float>) -> Double { row.reduce(0.0) { $0 + Double($1) * Double($1) } }

    static func argmax(_ row: ArraySlice<Float>) -> Int? {
        row.indices.max { row[$0] < row[$1] }.map { $0 - row.startIndex }
    }
}

/// Sums the per-prompt statistics of a filter run in prompt order into its effects (a run
/// block by block, or a merge reading shards back: the same sums, the same bits).
public struct FilterAccumulator {
    let readouts: [(site: Site, layer: Int)]
    let numberValues: [Int64]
    let known: Set<Int64>
    private var sums: [[Double]]
    private var before: [NumberAccuracy]
    private var after: [NumberAccuracy]
    private var prompts = 0
    private var notNumbers = 0

    public init(readouts: [(site: Site, layer: Int)], numberValues: [Int64]) {
        self.readouts = readouts
        self.numberValues = numberValues
        known = Set(numberValues)
        sums = Array(repeating: Array(repeating: 0, count: FilterRun.statistics.count), count: readouts.count)
        before = Array(repeating: NumberAccuracy(), count: readouts.count)
        after = before
    }

    public mutating func addPrompt(answer: Int64?) {
        prompts += 1
        if answer == nil { notNumbers += 1 }
    }

    /// Readout i's statistics of one prompt whose answer is `answer`.
    public mutating func add(readout i: Int, _ statistics: [Double], answer: Int64?) {
        for s in [0, 1, 2, 3, 4, 5, 8] { sums[i][s] += statistics[s] }
        guard let answer, known.contains(answer) else { return }
        func predicted(_ index: Int) -> Int64? { statistics[index] >= 0 ? numberValues[Int(statistics[index])] : nil }
        before[i].add(predicted: predicted(6), answer: answer)
        after[i].add(predicted: predicted(7), answer: answer)
    }

    public func result(filter: FilterBand) -> FilterResult {
        let effects = readouts.indices.map { i -> FilterEffect in
            let s = sums[i]
            func share(_ x: Double) -> Double? { s[1] > 0 ? x / s[1] : nil }
            let normBefore = s[4].squareRoot()
            return FilterEffect(site: readouts[i].site, layer: readouts[i].layer, bandShareBefore: share(s[0]), bandShareAfter: share(s[2]),
                                logitEnergyRatio: share(s[3]), normKept: normBefore > 0 ? s[5].squareRoot() / normBefore : nil,
                                accuracyBefore: before[i].exact, accuracyAfter: after[i].exact, accuracyWithin2Before: before[i].within2,
                                accuracyWithin2After: after[i].within2,
                                meanAbsoluteLogitChange: s[8] / Double(max(prompts * numberValues.count, 1)))
        }
        return FilterResult(filter: filter, readouts: readouts, effects: effects, answersNotNumbers: notNumbers, prompts: prompts)
    }
}
