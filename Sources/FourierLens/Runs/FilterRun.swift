/// What removing a band did to one layer's direct effect on the number logits.
public struct FilterEffect: Sendable {
    public let site: Site
    public let layer: Int
    public let bandShareBefore: Double
    public let bandShareAfter: Double
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
}

public enum FilterRun {
    /// Filters every readout of `task` (the lens inputs, read with norm none) and measures the
    /// direct effect on the number logits W_numᵀ x. Pure.
    public static func run(_ task: LensTask, removed: FourierFilter.Removed, tau: Int, file: String) throws -> FilterResult {
        let values = task.numberValues
        guard values.count >= 4, zip(values, values.dropFirst()).allSatisfy({ $1 == $0 + 1 }) else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values",
                                            expected: "number tokens covering a contiguous range (the Fourier basis is over consecutive numbers)")
        }
        let columns = task.numberTokens.compactMap { task.unembedding.column(ofToken: $0) }
        guard columns.count == values.count else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/ids", expected: "every number token among the columns of W_U")
        }
        guard tau >= 1 && tau <= values.count / 2 else {
            throw FourierLensError.badInput(file: file, dataset: "/tokens/values", expected: "--tau within 1…\(values.count / 2) (p = \(values.count)), found \(tau)")
        }
        let weights = task.unembedding.columns(columns)
        let filter = try FourierFilter(numberUnembedding: weights, removed: removed, tau: tau)
        var filtered: [Matrix] = []
        var effects: [FilterEffect] = []
        for readout in task.readouts {
            let after = filter.apply(readout.activations)
            filtered.append(after)
            let before = Matrix(rows: readout.activations.rows, cols: values.count,
                                values: LogitLens.numberProduct(readout.activations, weights, bias: nil))
            let afterLogits = Matrix(rows: after.rows, cols: values.count, values: LogitLens.numberProduct(after, weights, bias: nil))
            let (exactBefore, within2Before) = accuracy(before, task.answerValues, values)
            let (exactAfter, within2After) = accuracy(afterLogits, task.answerValues, values)
            let change = zip(before.values, afterLogits.values).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(max(before.values.count, 1))
            effects.append(FilterEffect(site: readout.site, layer: readout.layer, bandShareBefore: filter.bandShare(before),
                                        bandShareAfter: filter.bandShare(afterLogits), accuracyBefore: exactBefore,
                                        accuracyAfter: exactAfter, accuracyWithin2Before: within2Before,
                                        accuracyWithin2After: within2After, meanAbsoluteLogitChange: change))
        }
        return FilterResult(filter: filter, readouts: task.readouts, filtered: filtered, effects: effects)
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
