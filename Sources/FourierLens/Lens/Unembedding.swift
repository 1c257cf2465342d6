/// The unembedding W_U [d × V] (TransformerLens orientation), its bias, and — when it covers
/// only part of the vocabulary — the token id of each column.
public struct Unembedding: Sendable {
    public let weights: Matrix
    public let bias: [Float]?
    public let columnTokens: [Int64]?
    private let columnOfToken: [Int64: Int]

    public init(weights: Matrix, bias: [Float]?, columnTokens: [Int64]?) {
        self.weights = weights
        self.bias = bias
        self.columnTokens = columnTokens
        var map: [Int64: Int] = [:]
        if let columnTokens { for (c, t) in columnTokens.enumerated() { map[t] = c } }
        columnOfToken = map
    }

    public var dModel: Int { weights.rows }
    public var vocabulary: Int { weights.cols }

    public func column(ofToken token: Int64) -> Int? {
        if columnTokens != nil { return columnOfToken[token] }
        return token >= 0 && token < Int64(vocabulary) ? Int(token) : nil
    }

    public func token(ofColumn column: Int) -> Int64 { columnTokens?[column] ?? Int64(column) }

    /// W_U restricted to `columns`, [d × columns.count].
    func columns(_ columns: [Int]) -> Matrix {
        var values = [Float](repeating: 0, count: dModel * columns.count)
        for r in 0..<dModel {
            for (j, c) in columns.enumerated() { values[r * columns.count + j] = weights.values[r * vocabulary + c] }
        }
        return Matrix(rows: dModel, cols: columns.count, values: values)
    }
}
