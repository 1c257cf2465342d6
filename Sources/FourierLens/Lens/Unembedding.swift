import Foundation
import CKernels

/// The unembedding W_U [d × V] (TransformerLens orientation), its bias, and — when it covers
/// only part of the vocabulary — the token id of each column. The weights stay in the precision
/// they were stored in (a float16 W_U takes half the memory of a float32 one) and are widened a
/// tile of columns at a time as the lens streams over the vocabulary.
public struct Unembedding: Sendable {
    public enum Storage: Sendable {
        case float32([Float])
        case float16([UInt16])
        case bfloat16([UInt16])
    }

    public let dModel: Int
    public let vocabulary: Int
    public let storage: Storage
    public let bias: [Float]?
    public let columnTokens: [Int64]?
    /// The model's final logit soft-cap c (logits → c·tanh(logits / c), Gemma 2/3), applied to
    /// whole-residual readouts after b_U (W_U's attribute `softcap`); nil: none.
    public var softcap: Float? = nil
    private let columnOfToken: [Int64: Int]

    public init(weights: Matrix, bias: [Float]?, columnTokens: [Int64]?) {
        self.init(rows: weights.rows, cols: weights.cols, storage: .float32(weights.values), bias: bias, columnTokens: columnTokens)
    }

    public init(rows: Int, cols: Int, storage: Storage, bias: [Float]?, columnTokens: [Int64]?) {
        dModel = rows
        vocabulary = cols
        self.storage = storage
        self.bias = bias
        self.columnTokens = columnTokens
        var map: [Int64: Int] = [:]
        if let columnTokens { for (c, t) in columnTokens.enumerated() { map[t] = c } }
        columnOfToken = map
    }

    /// The soft-cap applied to n logits in place (nothing without one).
    func cap(_ logits: UnsafeMutablePointer<Float>, _ n: Int) {
        guard let softcap else { return }
        for i in 0..<n { logits[i] = softcap * tanhf(logits[i] / softcap) }
    }

    func cap(_ logit: Float) -> Float { softcap.map { $0 * tanhf(logit / $0) } ?? logit }

    /// Bytes the weights take in memory.
    public var residentBytes: Int {
        switch storage {
        case .float32: return dModel * vocabulary * 4
        case .float16, .bfloat16: return dModel * vocabulary * 2
        }
    }

    public func column(ofToken token: Int64) -> Int? {
        if columnTokens != nil { return columnOfToken[token] }
        return token >= 0 && token < Int64(vocabulary) ? Int(token) : nil
    }

    public func token(ofColumn column: Int) -> Int64 { columnTokens?[column] ?? Int64(column) }

    /// W_U[row, column] as float32.
    func value(row: Int, column: Int) -> Float {
        let i = row * vocabulary + column
        switch storage {
        case let .float32(values): return values[i]
        case let .float16(words): return Float(Float16(bitPattern: words[i]))
        case let .bfloat16(words): return Float(bitPattern: UInt32(words[i]) << 16)
        }
    }

    /// Columns start..<start+width as float32, handed to `body` with their row stride: the
    /// stored array itself for float32 (stride V), otherwise widened into `scratch` (stride width).
    func withColumns<R>(_ start: Int, _ width: Int, scratch: inout [Float], _ body: (UnsafePointer<Float>, Int) -> R) -> R {
        switch storage {
        case let .float32(values):
            return values.withUnsafeBufferPointer { body($0.baseAddress! + start, vocabulary) }
        case let .float16(words), let .bfloat16(words):
            if scratch.count < dModel * width { scratch = [Float](repeating: 0, count: dModel * width) }
            let isBFloat16: Bool
            if case .bfloat16 = storage { isBFloat16 = true } else { isBFloat16 = false }
            words.withUnsafeBufferPointer { input in
                scratch.withUnsafeMutableBufferPointer { out in
                    for r in 0..<dModel {
                        let source = input.baseAddress! + r * vocabulary + start, target = out.baseAddress! + r * width
                        if isBFloat16 { fl_widen_bf16(source, target, width) } else { fl_widen_f16(source, target, width) }
                    }
                }
            }
            return scratch.withUnsafeBufferPointer { body($0.baseAddress!, width) }
        }
    }

    /// One column of W_U (d values) as float32.
    func columnValues(_ column: Int) -> [Float] {
        (0..<dModel).map { value(row: $0, column: column) }
    }

    /// W_U restricted to `columns`, [d × columns.count], as float32.
    func columns(_ columns: [Int]) -> Matrix {
        var values = [Float](repeating: 0, count: dModel * columns.count)
        for r in 0..<dModel {
            for (j, c) in columns.enumerated() { values[r * columns.count + j] = value(row: r, column: c) }
        }
        return Matrix(rows: dModel, cols: columns.count, values: values)
    }
}
