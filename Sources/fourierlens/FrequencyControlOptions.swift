import ArgumentParser
import FourierLens

/// `--control-frequency` and where the counts come from (spectrum, compare).
struct FrequencyControlOptions: ParsableArguments {
    @Flag(help: "Also analyse each column's residual after regressing it on a natural cubic spline of log(1 + corpus count) (knots by cross-validation); see docs/METHODS.md.")
    var controlFrequency = false

    @Option(help: "The per-number corpus counts: an HDF5 file with /tokens/values and /tokens/counts (default: the input dump's own).")
    var counts: String?

    /// The counts of `matrix`'s numbers, from --counts or else from `dump`.
    func load(for matrix: NumberMatrix, dump: String) throws -> NumberCounts {
        try NumberCounts.load(counts ?? dump, for: matrix.values, tokens: counts == nil ? [:] : NumberCounts.tokenIDs(of: dump))
    }

    /// Adds the control to `result` when asked for.
    func apply(to result: inout SpectrumResult, input: NumberMatrix, dump: String) throws {
        guard controlFrequency else { return }
        result.frequencyControl = FrequencyControlRun.run(input, before: result, counts: try load(for: input, dump: dump))
    }
}

/// `spectrum --log`: the spectrum of log(1 + x), for counts.
struct LogTransformOptions: ParsableArguments {
    @Flag(help: "Analyse log(1 + x) of the dataset (for corpus counts: --dataset /tokens/counts --log).")
    var log = false

    func apply(_ matrix: NumberMatrix) throws -> NumberMatrix {
        log ? try matrix.logTransformed() : matrix
    }
}
