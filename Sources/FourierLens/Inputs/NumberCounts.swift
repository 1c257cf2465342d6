import Foundation

/// How often each number occurs in a corpus: the `/tokens/counts` role (docs/SCHEMA.md), read for
/// the numbers of an analysis, whatever their order in the counts file.
public struct NumberCounts: Sendable {
    public static let dataset = "/tokens/counts"
    public let file: String
    /// The corpus and tokenizer named in the dataset's attributes (free text), when present.
    public let corpus: String?
    public let tokenizer: String?
    /// One count per requested number, in the order asked for.
    public let counts: [Double]

    /// z = log(1 + count): the regressor of the frequency control (a number never seen has z = 0).
    public var logCounts: [Double] { counts.map { Foundation.log1p($0) } }

    /// The counts of `numbers` from `/tokens/counts` with `/tokens/values` of `path`. `tokens`
    /// (number → token id of the analysed dump), when known, must agree with the counts file's
    /// `/tokens/ids`: counts made with another tokenizer are refused, not used.
    public static func load(_ path: String, for numbers: [Int64], tokens: [Int64: Int64] = [:]) throws -> NumberCounts {
        let file = try HDF5File(readingFrom: path)
        func bad(_ name: String, _ expected: String) -> FourierLensError { .badInput(file: path, dataset: name, expected: expected) }
        guard file.kind(of: dataset) == .dataset else {
            throw bad(dataset, "per-number corpus counts (make them with `python -m fourierlens count-numbers`, or pass --counts FILE)")
        }
        guard file.kind(of: "/tokens/values") == .dataset else { throw bad("/tokens/values", "the number of each entry of \(dataset)") }
        let info = try file.datasetInfo(dataset)
        guard info.rank == 1 else { throw bad(dataset, "a 1-D dataset of counts, found \(info.shapeDescription)") }
        switch info.elementType {
        case .integer, .float32, .float64: break
        default: throw bad(dataset, "numeric counts, found \(info.elementType)")
        }
        let values = try file.readIntegers("/tokens/values")
        guard values.count == info.elementCount else {
            throw bad(dataset, "one count per entry of /tokens/values (\(values.count)), found \(info.elementCount)")
        }
        let counts = try file.readExactDoubles(dataset, start: [0], count: [info.elementCount])
        if let row = counts.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw bad(dataset, "counts that are finite and ≥ 0, found \(counts[row]) at row \(row)")
        }
        let byNumber = Dictionary(zip(values, counts), uniquingKeysWith: +)  // a number spelled by two tokens: both counted
        let missing = numbers.filter { byNumber[$0] == nil }
        guard missing.isEmpty else {
            throw bad(dataset, "a count for every number analysed (\(numbers.count)), found none for \(missing.count) of them (first \(missing[0]))")
        }
        if !tokens.isEmpty, file.kind(of: "/tokens/ids") == .dataset {
            let ids = Dictionary(zip(values, try file.readIntegers("/tokens/ids")), uniquingKeysWith: { first, _ in first })
            if let n = numbers.first(where: { tokens[$0] != nil && ids[$0] != nil && tokens[$0] != ids[$0] }) {
                throw bad("/tokens/ids", "counts made with the analysed model's tokenizer, found number \(n) as token \(ids[n]!) here and \(tokens[n]!) in the input")
            }
        }
        let attributes = (try? file.attributes(of: dataset)) ?? [:]
        func text(_ name: String) -> String? {
            if case .strings(let list)? = attributes[name], let first = list.first { return first }
            return nil
        }
        return NumberCounts(file: path, corpus: text("corpus"), tokenizer: text("tokenizer"), counts: numbers.map { byNumber[$0]! })
    }

    public init(file: String, corpus: String?, tokenizer: String?, counts: [Double]) {
        self.file = file; self.corpus = corpus; self.tokenizer = tokenizer; self.counts = counts
    }
}

extension NumberMatrix {
    /// log(1 + x) of every value (counts ≥ 0); the dataset is named "log(1 + DATASET)".
    public func logTransformed() throws -> NumberMatrix {
        if let index = matrix.values.firstIndex(where: { $0 < 0 }) {
            throw FourierLensError.badInput(file: file, dataset: dataset,
                                            expected: "values ≥ 0 for --log (counts), found \(matrix.values[index]) at row \(index / matrix.cols)")
        }
        var result = NumberMatrix(file: file, dataset: "log(1 + \(dataset))", valuesDataset: valuesDataset, layer: layer,
                                  matrix: Matrix(rows: matrix.rows, cols: matrix.cols, values: matrix.values.map { Foundation.log1p($0) }),
                                  values: values, zeroedNonFinite: zeroedNonFinite)
        result.rowsPerNumber = rowsPerNumber
        return result
    }
}

extension NumberCounts {
    /// Number → token id of a dump with /tokens/values and /tokens/ids (empty when either is missing).
    public static func tokenIDs(of path: String) -> [Int64: Int64] {
        guard let file = try? HDF5File(readingFrom: path), file.kind(of: "/tokens/ids") == .dataset,
              let values = try? file.readIntegers("/tokens/values"), let ids = try? file.readIntegers("/tokens/ids"),
              values.count == ids.count else { return [:] }
        return Dictionary(zip(values, ids), uniquingKeysWith: { first, _ in first })
    }
}
