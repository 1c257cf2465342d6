import CLAPACK

/// A double-precision row-major matrix for the probes' solves (LAPACK and BLAS in double).
struct DoubleMatrix {
    var rows: Int
    var cols: Int
    var values: [Double]

    init(rows: Int, cols: Int, values: [Double]) {
        precondition(values.count == rows * cols)
        self.rows = rows; self.cols = cols; self.values = values
    }

    init(rows: Int, cols: Int) { self.init(rows: rows, cols: cols, values: [Double](repeating: 0, count: rows * cols)) }

    subscript(r: Int, c: Int) -> Double {
        get { values[r * cols + c] }
        set { values[r * cols + c] = newValue }
    }

    /// The rows at `indices`.
    func rows(_ indices: [Int]) -> DoubleMatrix {
        var out: [Double] = []
        out.reserveCapacity(indices.count * cols)
        for r in indices { out += values[r * cols ..< (r + 1) * cols] }
        return DoubleMatrix(rows: indices.count, cols: cols, values: out)
    }

    var columnMeans: [Double] {
        var sums = [Double](repeating: 0, count: cols)
        for r in 0..<rows { for c in 0..<cols { sums[c] += values[r * cols + c] } }
        return sums.map { $0 / Double(max(rows, 1)) }
    }

    /// The chosen columns, in the order given.
    func columns(_ indices: [Int]) -> DoubleMatrix {
        DoubleMatrix(rows: rows, cols: indices.count, values: (0..<rows).flatMap { r in indices.map { values[r * cols + $0] } })
    }

    func subtractingRow(_ row: [Double]) -> DoubleMatrix {
        var out = self
        for r in 0..<rows { for c in 0..<cols { out.values[r * cols + c] -= row[c] } }
        return out
    }

    /// A · Bᵀ.
    func timesTransposed(_ other: DoubleMatrix) -> DoubleMatrix { product(self, false, other, true) }

    /// A · B.
    func times(_ other: DoubleMatrix) -> DoubleMatrix { product(self, false, other, false) }

    /// Aᵀ · B.
    func transposedTimes(_ other: DoubleMatrix) -> DoubleMatrix { product(self, true, other, false) }

    /// A · Aᵀ (dsyrk, then mirrored).
    func gram() -> DoubleMatrix {
        var out = DoubleMatrix(rows: rows, cols: rows)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(rows), Int32(cols), 1, values, Int32(cols), 0,
                    &out.values, Int32(rows))
        for i in 0..<rows { for j in 0..<i { out.values[i * rows + j] = out.values[j * rows + i] } }
        return out
    }

    func transposed() -> DoubleMatrix {
        var out = DoubleMatrix(rows: cols, cols: rows)
        for r in 0..<rows { for c in 0..<cols { out.values[c * rows + r] = values[r * cols + c] } }
        return out
    }
}

/// op(A) · op(B) by OpenBLAS dgemm, op being the transpose where asked.
private func product(_ a: DoubleMatrix, _ transposeA: Bool, _ b: DoubleMatrix, _ transposeB: Bool) -> DoubleMatrix {
    let m = transposeA ? a.cols : a.rows, k = transposeA ? a.rows : a.cols
    let n = transposeB ? b.rows : b.cols
    precondition(k == (transposeB ? b.cols : b.rows), "inner dimensions must agree")
    var out = DoubleMatrix(rows: m, cols: n)
    if m == 0 || n == 0 || k == 0 { return out }
    cblas_dgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), 1, a.values, Int32(a.cols), b.values, Int32(b.cols), 0, &out.values, Int32(n))
    return out
}

/// Eigen-decomposition of a symmetric matrix (LAPACK dsyevd): eigenvalues ascending, and the
/// eigenvectors as the columns of a row-major matrix.
func symmetricEigen(_ matrix: DoubleMatrix) throws -> (values: [Double], vectors: DoubleMatrix) {
    precondition(matrix.rows == matrix.cols)
    let n = matrix.rows
    var vectors = matrix
    var values = [Double](repeating: 0, count: n)
    let info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, CChar(UInt8(ascii: "V")), CChar(UInt8(ascii: "U")), Int32(n),
                              &vectors.values, Int32(n), &values)
    guard info == 0 else { throw FourierLensError.internalFailure("LAPACK dsyevd failed (info \(info)) on a \(n) × \(n) matrix") }
    return (values, vectors)
}

/// Least squares min ‖A x − B‖ for each column of B (LAPACK dgelsd, SVD-based, rank-revealing).
func leastSquares(_ a: DoubleMatrix, _ b: DoubleMatrix) throws -> DoubleMatrix {
    precondition(a.rows == b.rows)
    let m = a.rows, n = a.cols, nrhs = b.cols
    var aCopy = a.values
    var work = DoubleMatrix(rows: max(m, n), cols: nrhs)
    for r in 0..<m { for c in 0..<nrhs { work[r, c] = b[r, c] } }
    var singular = [Double](repeating: 0, count: min(m, n))
    var rank: Int32 = 0
    let info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, Int32(m), Int32(n), Int32(nrhs), &aCopy, Int32(n), &work.values,
                              Int32(nrhs), &singular, -1, &rank)
    guard info == 0 else { throw FourierLensError.internalFailure("LAPACK dgelsd failed (info \(info))") }
    return DoubleMatrix(rows: n, cols: nrhs, values: Array(work.values[0 ..< n * nrhs]))
}
