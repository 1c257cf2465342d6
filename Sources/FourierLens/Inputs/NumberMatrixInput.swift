/// A matrix whose rows are numbers, read from a dump and put in number order: the input of
/// spectra, comparisons and probes.
public struct NumberMatrix: Sendable {
    public let file: String
    public let dataset: String
    public let valuesDataset: String
    public let layer: Int?
    /// Rows in number order.
    public let matrix: Matrix
    public let values: [Int64]
    /// Non-finite values that were set to zero (only with allowNonFinite).
    public let zeroedNonFinite: Int
    /// When the rows of each number were averaged: how many rows each number's mean is over,
    /// aligned with `values`.
    public var rowsPerNumber: [Int]? = nil

    /// The rows read before averaging.
    public var inputRows: Int { rowsPerNumber?.reduce(0, +) ?? matrix.rows }

    /// "the mean of 5 rows per number (1500 rows → 300 numbers)", when rows were averaged.
    public var averagingDescription: String? { NumberMatrix.describeAveraging(rowsPerNumber) }

    public static func describeAveraging(_ counts: [Int]?) -> String? {
        guard let counts, let low = counts.min(), let high = counts.max() else { return nil }
        let per = low == high ? "\(low)" : "\(low)–\(high)"
        return "the mean of \(per) rows per number (\(counts.reduce(0, +)) rows → \(counts.count) numbers)"
    }

    public var label: String {
        let base = (file as NSString).lastPathComponent + ":" + dataset
        return layer.map { base + "[layer \($0)]" } ?? base
    }

    /// The unembedding [d × V] read along its number tokens: their columns as rows [p × d], in
    /// /tokens order, each found by its token id as the lens finds it (`Unembedding.column(ofToken:)`,
    /// through /weights/vocab_ids when W_U keeps only part of the vocabulary).
    static func numberColumns(ofUnembedding weights: Matrix, file: HDF5File, dump: Dump) throws -> Matrix {
        guard let ids = dump.tokenIDs else { return weights.transposed() }  // no ids: the columns must be the numbers (checked by the caller)
        let unembedding = Unembedding(weights: weights, bias: nil,
                                      columnTokens: try dump.vocabularyIDs.map { try file.readIntegers($0.path) })
        let tokenIDs = try file.readIntegers(ids.path)
        let chosen = try tokenIDs.enumerated().map { row, id in
            guard let column = unembedding.column(ofToken: id) else {
                throw FourierLensError.badInput(file: file.path, dataset: ids.path,
                                                expected: "number tokens among the \(weights.cols) columns of \(dump.unembedding!.path), found token \(id) at row \(row)")
            }
            return column
        }
        return unembedding.columns(chosen).transposed()
    }

    /// Loads `dataset` (default: the embeddings role) with the number of each row from
    /// `valuesDataset` (default: /tokens/values for weights, /prompts/values for activations).
    /// With `requireNumberAxis` false (probes), rows keep their order and numbers may repeat.
    /// `average`: the mean of the rows of each number (nil: only when numbers repeat; false: never,
    /// so that repeated numbers are refused where one row per number is required).
    /// `position`: the position of [N × pos × d] (or, with `layer`, [L × N × pos × d]) activations.
    public static func load(file: HDF5File, dump: Dump, dataset: String?, values: String?, layer: Int?,
                            allowGaps: Bool, allowNonFinite: Bool, requireNumberAxis: Bool = true,
                            average: Bool? = nil, position: ReadPosition? = nil) throws -> NumberMatrix {
        try dump.requireValid()  // one validation for every command
        let path = file.path
        func bad(_ name: String, _ expected: String) -> FourierLensError { .badInput(file: path, dataset: name, expected: expected) }
        guard let datasetPath = dataset.map({ file.normalised($0) }) ?? dump.embeddings?.path else {
            throw bad("/weights/W_E", "the embeddings role (/weights/W_E), or --dataset naming a [numbers × features] dataset")
        }
        let info = try file.datasetInfo(datasetPath)
        var matrix: Matrix
        switch info.rank {
        case 1 where layer == nil && position == nil && datasetPath == NumberCounts.dataset:  // corpus counts: one column
            let vector = try file.readVector(datasetPath)
            matrix = Matrix(rows: vector.count, cols: 1, values: vector)
        case 2 where position != nil:
            throw bad(datasetPath, "[N × positions × d] activations for --position, found 2-D \(info.shapeDescription)")
        case 3 where position != nil:
            guard layer == nil else { throw bad(datasetPath, "[layers × N × positions × d] activations for --layer with --position, found \(info.shapeDescription)") }
            matrix = try position!.read(file, datasetPath, info, layer: nil)
        case 4:
            guard let layer, let position else {
                throw bad(datasetPath, "--layer and --position to pick one layer and one position of \(info.shapeDescription)")
            }
            matrix = try position.read(file, datasetPath, info, layer: layer)
        case 2:
            guard layer == nil else { throw bad(datasetPath, "a stacked [layers × rows × features] dataset for --layer, found 2-D \(info.shapeDescription)") }
            matrix = try file.readMatrix(datasetPath)
        case 3:
            guard let layer else {
                throw bad(datasetPath, "--layer to pick one layer of the stacked dataset \(info.shapeDescription), or --position for one position of [N × positions × d] activations")
            }
            matrix = try file.readLayer(datasetPath, layer: layer)
        default:
            throw bad(datasetPath, "a 2-D dataset [numbers × features], found \(info.rank)-D \(info.shapeDescription)")
        }
        let valuesPath = values.map { file.normalised($0) }
            ?? (datasetPath.hasPrefix("/acts/") || datasetPath.hasPrefix("/prompts/") ? "/prompts/values" : "/tokens/values")
        guard file.kind(of: valuesPath) == .dataset else {
            throw bad(valuesPath, "the number of each row of \(datasetPath) (or --values naming it), but nothing is there")
        }
        var numbers = try file.readIntegers(valuesPath)
        // A full-vocabulary embedding: pick the number tokens' rows by /tokens/ids.
        if datasetPath == dump.embeddings?.path, matrix.rows != numbers.count, let ids = dump.tokenIDs {
            let tokenIDs = try file.readIntegers(ids.path)
            if let row = tokenIDs.firstIndex(where: { $0 < 0 || Int($0) >= matrix.rows }) {
                throw bad(ids.path, "token ids within the \(matrix.rows) rows of \(datasetPath), found \(tokenIDs[row]) at row \(row)")
            }
            matrix = gatherRows(matrix, tokenIDs.map { Int($0) })
        } else if datasetPath == dump.unembedding?.path, info.rank == 2 {
            matrix = try numberColumns(ofUnembedding: matrix, file: file, dump: dump)
        }
        guard matrix.rows == numbers.count else {
            throw bad(valuesPath, "one number per row of \(datasetPath) (\(matrix.rows)), found \(numbers.count)")
        }
        guard matrix.rows >= 4 else {
            throw bad(datasetPath, "at least 4 numbers (rows), found \(matrix.rows)")
        }
        guard matrix.cols >= 1 else { throw bad(datasetPath, "at least one feature column, found 0") }
        var zeroed = 0
        if let first = matrix.values.firstIndex(where: { !$0.isFinite }) {
            guard allowNonFinite else {
                let count = matrix.values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) }
                throw bad(datasetPath, "finite values, found \(count) NaN/Inf (first at row \(first / matrix.cols), column \(first % matrix.cols)); pass --allow-nonfinite to treat them as 0")
            }
            for i in matrix.values.indices where !matrix.values[i].isFinite {
                matrix.values[i] = 0
                zeroed += 1
            }
        }
        var counts: [Int]? = nil
        if average ?? NumberAverage.repeats(numbers) {
            let averaged = NumberAverage.average(matrix, values: numbers)
            (matrix, numbers, counts) = (averaged.matrix, averaged.values, averaged.counts)
            guard matrix.rows >= 4 else {
                throw bad(valuesPath, "at least 4 distinct numbers after averaging the rows of each number, found \(matrix.rows)")
            }
        }
        let axis: NumberAxis
        if requireNumberAxis {
            do {
                axis = try NumberAxis.from(values: numbers, allowGaps: allowGaps)
            } catch {
                throw bad(valuesPath, error.description)
            }
        } else {
            axis = NumberAxis(order: Array(0..<numbers.count), values: numbers)
        }
        var result = NumberMatrix(file: path, dataset: datasetPath, valuesDataset: valuesPath, layer: layer,
                                  matrix: axis.reorder(matrix), values: axis.values, zeroedNonFinite: zeroed)
        result.rowsPerNumber = counts
        return result
    }

    public init(file: String, dataset: String, valuesDataset: String, layer: Int?, matrix: Matrix, values: [Int64],
                zeroedNonFinite: Int = 0) {
        self.file = file; self.dataset = dataset; self.valuesDataset = valuesDataset; self.layer = layer
        self.matrix = matrix; self.values = values; self.zeroedNonFinite = zeroedNonFinite
    }
}


import Foundation
