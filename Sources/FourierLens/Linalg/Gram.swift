import CLAPACK

/// X Xᵀ in double precision (OpenBLAS dsyrk), returned as a full symmetric p × p row-major array.
func gramMatrix(_ matrix: Matrix) -> [Double] {
    let p = matrix.rows, d = matrix.cols
    let wide = matrix.values.map(Double.init)
    var gram = [Double](repeating: 0, count: p * p)
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(p), Int32(d), 1, wide, Int32(d), 0, &gram, Int32(p))
    for i in 0..<p {
        for j in 0..<i { gram[i * p + j] = gram[j * p + i] }
    }
    return gram
}
