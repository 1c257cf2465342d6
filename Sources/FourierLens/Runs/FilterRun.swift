/// What removing a band did to one layer's direct effect on the number logits.
public struct FilterEffect: Sendable {
    public let site: Site
    public let layer: Int
    /// The band's energy in the number logits (rows centred, k ≥ 1, summed over prompts) as a
    /// share of their energy before filtering: before, and after (same denominator).
    public let bandShareBefore: Double?
    public let bandShareAfter: Double?
    /// The number logits' energy (k ≥ 1) after filtering over the energy before.
    public let logitEnergyKept: Double?
    /// ‖X'‖_F / ‖X‖_F over the prompts: how much of the activations' norm the filter keeps.
    public let normKept: Double?
    public let accuracyBefore: Double?
    public let accuracyAfter: Double?
    public let accuracyWithin2Before: Double?
    public let accuracyWithin2After: Double?
    public let meanAbsoluteLogitChange: Double
}

public struct FilterResult: Sendable {
    public let filter: FourierFilter
    public let readouts: [LensReadout]
    public let filtered: [Matrix]
    public let effects: [FilterEffect]
    /// Prompts whose answer is not a number token: left out of the accuracies.
    public let answersNotNumbers: Int
}

public enum FilterRun {
    /// Filters every readout of `task` (the lens inputs, read with norm none) and measures the
    /// direct effect on the number logits W_numᵀ x. Pure.
    /// A removed subspace as large as d_model takes the activations away entirely; it is
    /// refused unless `allowFullRank`.
    public static func run(_ task: LensTask, removed: FourierFilter.Removed, tau: Int, file: String,
                           allowFullRank: Bool = false) throws -> FilterResult {
        let values = task.numberValues
        guard values.count >= 4, zip(values, values.dropFirst()).allSatisfy({ $1 > $0 && distance($1, $0) == 1 }) else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values",
                                            expected: "number tokens covering a contiguous range (the Fourier basis is over consecutive numbers)")
        }
        let columns = task.numberTokens.compactMap { task.unembedding.column(ofToken: $0) }
        guard columns.count == values.count else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/ids", expected: "every number token among the columns of W_U")
        }
        guard tau >= 1 && tau <= values.count / 2 else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values", expected: "--tau within \(numberRange(1, values.count / 2)) (p = \(values.count)), found \(tau)")
        }
        let weights = task.unembedding.columns(columns)
        let filter = try FourierFilter(numberUnembedding: weights, removed: removed, tau: tau)
        if filter.rank >= filter.dModel && !allowFullRank {
            let band = removed == .low ? "1 ≤ k < \(tau)" : "\(tau) ≤ k ≤ \(values.count / 2)"
            throw FourierLensError.badInput(file: file, dataset: "/weights/W_U",
                                            expected: "a removed subspace of rank below d_model = \(filter.dModel), found rank \(filter.rank) (removing \(band) would leave the activations empty); pass --allow-full-rank to filter anyway")
        }
        var filtered: [Matrix] = []
        var effects: [FilterEffect] = []
        let asked = task.referenceOnlyForKL ? task.readouts.indices.filter { $0 != task.referenceReadout }.map { task.readouts[$0] }
            : task.readouts
        for readout in asked {
            let after = filter.apply(readout.activations)
            filtered.append(after)
            let before = Matrix(rows: readout.activations.rows, cols: values.count,
                                values: LogitLens.numberProduct(readout.activations, weights, bias: nil))
            let afterLogits = Matrix(rows: after.rows, cols: values.count, values: LogitLens.numberProduct(after, weights, bias: nil))
            let (exactBefore, within2Before) = accuracy(before, task.answerValues, values)
            let (exactAfter, within2After) = accuracy(afterLogits, task.answerValues, values)
            let change = zip(before.values, afterLogits.values).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(max(before.values.count, 1))
            let (bandBefore, totalBefore) = filter.bandEnergy(before)
            let (bandAfter, totalAfter) = filter.bandEnergy(afterLogits)
            func share(_ x: Double) -> Double? { totalBefore > 0 ? x / totalBefore : nil }
            let normBefore = frobeniusNorm(readout.activations)
            effects.append(FilterEffect(site: readout.site, layer: readout.layer, bandShareBefore: share(bandBefore),
                                        bandShareAfter: share(bandAfter), logitEnergyKept: share(totalAfter),
                                        normKept: normBefore > 0 ? frobeniusNorm(after) / normBefore : nil, accuracyBefore: exactBefore,
                                        accuracyAfter: exactAfter, accuracyWithin2Before: within2Before,
                                        accuracyWithin2After: within2After, meanAbsoluteLogitChange: change))
        }
        return FilterResult(filter: filter, readouts: asked, filtered: filtered, effects: effects, answersNotNumbers: task.answersNotNumbers)
    }

    static func frobeniusNorm(_ x: Matrix) -> Double {
        x.values.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
    }

    /// Exact and ±2 accuracy of the argmax number against the answers.
    static func accuracy(_ logits: Matrix, _ answers: [Int64?], _ values: [Int64]) -> (Double?, Double?) {
        let predicted: [Int64?] = (0..<logits.rows).map { r in
            let row = logits.row(r)
            return row.indices.max { row[$0] < row[$1] }.map { values[$0 - row.startIndex] }
        }
        let accuracy = NumberAccuracy(predicted: predicted, answers: answers)
        return (accuracy.exact, accuracy.within2)
    }
}
