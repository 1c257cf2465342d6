import Foundation

/// Ridge regression at many strengths λ from one eigen-decomposition of the centred training
/// data: of the Gram matrix X Xᵀ when there are fewer rows than columns (the dual), of the
/// covariance Xᵀ X otherwise (the primal). Every prediction is then
/// T · diag(1 / (e + λ)) · r, with T the test rows in the eigenbasis and r the targets'
/// coordinates there, so trying another λ costs one small product.
struct RidgeSolver {
    let dual: Bool
    /// Eigenvalues, ascending, and their eigenvectors as columns.
    let eigenvalues: [Double]
    let eigenvectors: DoubleMatrix
    let train: DoubleMatrix
    /// Dual: K_test = X_test X_trainᵀ. Primal: X_test.
    let testCross: DoubleMatrix
    /// The test rows in the eigenbasis: testCross · eigenvectors.
    let testInEigenbasis: DoubleMatrix

    init(train: DoubleMatrix, test: DoubleMatrix) throws {
        self.train = train
        dual = train.rows <= train.cols
        let (values, vectors) = try symmetricEigen(dual ? train.gram() : train.transposedTimes(train))
        eigenvalues = values.map { max($0, 0) }
        eigenvectors = vectors
        testCross = dual ? test.timesTransposed(train) : test
        testInEigenbasis = testCross.times(vectors)
    }

    /// Coordinates of the (centred) targets along each eigen-direction: dual Qᵀ Y, primal Vᵀ Xᵀ Y.
    func project(_ y: DoubleMatrix) -> DoubleMatrix {
        dual ? eigenvectors.transposedTimes(y) : eigenvectors.transposedTimes(train.transposedTimes(y))
    }

    /// Test predictions (centred) for centred targets with coordinates r, at strength λ.
    func predictTest(projected r: DoubleMatrix, lambda: Double) -> DoubleMatrix {
        var scaled = r
        for i in 0..<r.rows {
            let shrink = 1 / (eigenvalues[i] + lambda)
            for c in 0..<r.cols { scaled[i, c] *= shrink }
        }
        return testInEigenbasis.times(scaled)
    }

    /// The top `count` principal-component scores of the training and test rows.
    func principalScores(count: Int) -> (train: DoubleMatrix, test: DoubleMatrix) {
        let n = eigenvalues.count
        let top = Array((max(0, n - count)..<n).reversed()).filter { eigenvalues[$0] > 1e-10 * (eigenvalues.last ?? 1) }
        var trainScores = DoubleMatrix(rows: train.rows, cols: top.count)
        var testScores = DoubleMatrix(rows: testCross.rows, cols: top.count)
        let vectors = DoubleMatrix(rows: eigenvectors.rows, cols: top.count,
                                   values: (0..<eigenvectors.rows).flatMap { r in top.map { eigenvectors[r, $0] } })
        if dual {
            // X = U S Vᵀ with U = Q and S² the eigenvalues: scores U S; test scores K_test U / S.
            trainScores = vectors
            testScores = testCross.times(vectors)
            for (c, i) in top.enumerated() {
                let s = eigenvalues[i].squareRoot()
                for r in 0..<trainScores.rows { trainScores[r, c] *= s }
                for r in 0..<testScores.rows { testScores[r, c] /= s }
            }
        } else {
            trainScores = train.times(vectors)
            testScores = testCross.times(vectors)
        }
        return (trainScores, testScores)
    }
}
