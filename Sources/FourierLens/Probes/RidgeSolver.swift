import Foundation

/// Ridge regression at many strengths λ from one eigen-decomposition of the centred training
/// data: of the Gram matrix X Xᵀ when there are fewer rows than columns (the dual), of the
/// covariance Xᵀ X otherwise (the primal). The strength is chosen by generalised
/// cross-validation (Golub, Heath & Wahba 1979) on the training rows alone.
struct RidgeSolver {
    let dual: Bool
    /// Eigenvalues, ascending, and their eigenvectors as columns.
    let eigenvalues: [Double]
    let eigenvectors: DoubleMatrix
    let train: DoubleMatrix
    /// Dual: K_test = X_test X_trainᵀ. Primal: X_test.
    let testCross: DoubleMatrix

    init(train: DoubleMatrix, test: DoubleMatrix) throws {
        self.train = train
        dual = train.rows <= train.cols
        let (values, vectors) = try symmetricEigen(dual ? train.gram() : train.transposedTimes(train))
        eigenvalues = values.map { max($0, 0) }
        eigenvectors = vectors
        testCross = dual ? test.timesTransposed(train) : test
    }

    /// Coordinates of the (centred) targets along each eigen-direction: dual Qᵀ Y, primal Vᵀ Xᵀ Y.
    func project(_ y: DoubleMatrix) -> DoubleMatrix {
        dual ? eigenvectors.transposedTimes(y) : eigenvectors.transposedTimes(train.transposedTimes(y))
    }

    /// The strengths tried: the mean eigenvalue times 10^-6 … 10^3, so the grid follows the data's scale.
    var grid: [Double] {
        let scale = max(eigenvalues.reduce(0, +) / Double(max(eigenvalues.count, 1)), 1e-300)
        return (0...36).map { scale * pow(10, -6 + Double($0) * 0.25) }
    }

    /// The λ of the grid with the smallest GCV score, summed over the target columns.
    func chooseLambda(_ y: DoubleMatrix, projected r: DoubleMatrix) -> Double {
        let n = Double(train.rows)
        var weights = [Double](repeating: 0, count: eigenvalues.count)
        for i in 0..<eigenvalues.count {
            var w = 0.0
            for c in 0..<r.cols { w += r[i, c] * r[i, c] }
            weights[i] = dual ? w : (eigenvalues[i] > 1e-12 ? w / eigenvalues[i] : 0)
        }
        let total = y.values.reduce(0) { $0 + $1 * $1 }
        let outside = max(total - weights.reduce(0, +), 0)
        var best = (score: Double.infinity, lambda: grid[0])
        for lambda in grid {
            var residual = outside, df = 0.0
            for i in 0..<eigenvalues.count {
                let shrink = lambda / (eigenvalues[i] + lambda)
                residual += shrink * shrink * weights[i]
                df += eigenvalues[i] / (eigenvalues[i] + lambda)
            }
            let score = n * residual / max((n - df) * (n - df), 1e-300)
            if score < best.score { best = (score, lambda) }
        }
        return best.lambda
    }

    /// Test predictions (centred) for centred targets y at strength λ.
    func predictTest(projected r: DoubleMatrix, lambda: Double) -> DoubleMatrix {
        var scaled = r
        for i in 0..<r.rows {
            for c in 0..<r.cols { scaled[i, c] /= eigenvalues[i] + lambda }
        }
        let coefficients = eigenvectors.times(scaled)  // dual: α (n × t); primal: β (d × t)
        return testCross.times(coefficients)
    }

    /// Fits y (centred) with λ chosen by GCV and predicts the test rows.
    func fitAndPredict(_ y: DoubleMatrix) -> DoubleMatrix {
        let r = project(y)
        return predictTest(projected: r, lambda: chooseLambda(y, projected: r))
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
