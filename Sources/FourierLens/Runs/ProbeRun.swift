/// Probe scores for one representation (a dataset, or one layer of a site).
public struct ProbeResult: Sendable {
    /// A name for pages and legends ("layer 0 resid_post", "A", a dataset path).
    public let source: String
    /// The dataset probed, and the layer and site it holds (nil for weights and plain datasets).
    public var dataset: String? = nil
    public let layer: Int?
    public var site: String? = nil
    public let rows: Int
    public let columns: Int
    public let scores: [ProbeScore]
    /// How many rows each number's mean is over, when the rows of each number were averaged.
    public var rowsPerNumber: [Int]? = nil
}

public enum ProbeRun {
    /// Runs the probes on a loaded matrix; bad options become a bad-input error naming the dataset.
    public static func run(_ input: NumberMatrix, options: ProbeOptions, source: String? = nil) throws -> ProbeResult {
        do {
            let scores = try ProbeSuite.run(input.matrix, values: input.values, options: options)
            var result = ProbeResult(source: source ?? input.label, layer: input.layer, rows: input.matrix.rows,
                                     columns: input.matrix.cols, scores: scores)
            result.rowsPerNumber = input.rowsPerNumber
            result.dataset = input.dataset
            return result
        } catch {
            throw FourierLensError.badInput(file: input.file, dataset: input.valuesDataset, expected: error.description)
        }
    }
}
