/// The one dense matrix type of FourierLens: Float32 values, row-major, contiguous.
public struct Matrix: Equatable, Sendable {
    public let rows: Int
    public let cols: Int
    public var values: [Float]

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(rows >= 0 && cols >= 0 && values.count == rows * cols,
                     "Matrix storage must hold rows × cols values")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    public init(rows: Int, cols: Int, repeating value: Float = 0) {
        self.init(rows: rows, cols: cols, values: [Float](repeating: value, count: rows * cols))
    }

    public subscript(row: Int, col: Int) -> Float {
        get { values[row * cols + col] }
        set { values[row * cols + col] = newValue }
    }

    public func row(_ index: Int) -> ArraySlice<Float> {
        values[index * cols ..< (index + 1) * cols]
    }

    public func transposed() -> Matrix {
        var out = [Float](repeating: 0, count: values.count)
        for r in 0..<rows { for c in 0..<cols { out[c * rows + r] = values[r * cols + c] } }
        return Matrix(rows: cols, cols: rows, values: out)
    }
}

/// The rows of `matrix` at `rows`, in that order.
func gatherRows(_ matrix: Matrix, _ rows: [Int]) -> Matrix {
    var values: [Float] = []
    values.reserveCapacity(rows.count * matrix.cols)
    for r in rows { values += matrix.row(r) }
    return Matrix(rows: rows.count, cols: matrix.cols, values: values)
}
