import Foundation

/// Chooses the ridge strength λ by k-fold cross-validation inside a training set, scoring the
/// metric the probe reports (R² for regression, accuracy for classification), exactly as
/// scikit-learn's `GridSearchCV` over `Ridge` / `RidgeClassifier` with the same splits and grid:
/// the mean of the per-fold scores, and of equal means the largest λ.
struct RidgeStrengthSearch {
    /// The strengths tried, largest first (so the first of equal scores is the strongest).
    let grid: [Double]
    /// One decomposition per inner fold, shared by every probe and control of the outer fold.
    let folds: [(solver: RidgeSolver, train: [Int], test: [Int])]

    /// `rows` are the outer fold's training rows, not centred: each inner fold centres by its own
    /// training rows' means, as a pipeline fitted on those rows alone would.
    init(rows: DoubleMatrix, folds count: Int, seed: UInt64, strata: [Int]?, grid: [Double]) throws {
        self.grid = grid
        let split = Folds(rows: rows.rows, folds: count, seed: seed, strata: strata)
        folds = try (0..<count).map { f in
            let train = split.train(f), test = split.test[f]
            let trainRows = rows.rows(train)
            let means = trainRows.columnMeans
            let solver = try RidgeSolver(train: trainRows.subtractingRow(means), test: rows.rows(test).subtractingRow(means))
            return (solver, train, test)
        }
    }

    /// λ_i = ē · 10^(3 − i/4), i = 0…36 (largest first), with ē = ‖X_c‖²_F / min(n, d) the mean
    /// non-trivial eigenvalue of the centred training rows: the grid follows the data's scale.
    static func grid(centredTrain x: DoubleMatrix) -> [Double] {
        let energy = x.values.reduce(0) { $0 + $1 * $1 }
        let scale = max(energy / Double(max(min(x.rows, x.cols), 1)), Double.leastNormalMagnitude)
        return (0...36).map { scale * pow(10, 3 - Double($0) * 0.25) }
    }

    /// The λ whose predictions of y score the best mean held-out R² over the inner folds.
    func bestForRegression(_ y: [Double]) -> Double {
        best { fold in
            let targets = fold.train.map { y[$0] }
            let mean = targets.reduce(0, +) / Double(targets.count)
            let truth = DoubleMatrix(rows: fold.test.count, cols: 1, values: fold.test.map { y[$0] })
            let r = fold.solver.project(DoubleMatrix(rows: targets.count, cols: 1, values: targets.map { $0 - mean }))
            return { lambda in
                let prediction = fold.solver.predictTest(projected: r, lambda: lambda)
                return pooledR2(truth, DoubleMatrix(rows: truth.rows, cols: 1, values: prediction.values.map { $0 + mean }))
            }
        }
    }

    /// The λ whose predictions of every column of `y` (one λ for all) score the best mean held-out
    /// R², pooled over the columns, over the inner folds: the Fourier probe's readout.
    func bestForRegression(columns y: DoubleMatrix) -> Double {
        best { fold in
            let targets = y.rows(fold.train), truth = y.rows(fold.test)
            let means = targets.columnMeans
            let r = fold.solver.project(targets.subtractingRow(means))
            return { lambda in pooledR2(truth, fold.solver.predictTest(projected: r, lambda: lambda).subtractingRow(means.map { -$0 })) }
        }
    }

    /// The λ whose ridge classifier (±1 indicators of `classes` labels) scores the best mean
    /// held-out accuracy over the inner folds.
    func bestForClassification(_ labels: [Int], classes: Int) -> Double {
        best { fold in
            let classifier = RidgeClassifierFit(solver: fold.solver, labels: fold.train.map { labels[$0] }, classes: classes)
            let truth = fold.test.map { labels[$0] }
            return { lambda in classifier.accuracy(lambda: lambda, truth: truth) }
        }
    }

    /// Scans the grid with `scorer(fold)(λ)`; sums the folds in order, as numpy's mean does.
    private func best(_ scorer: ((solver: RidgeSolver, train: [Int], test: [Int])) -> (Double) -> Double) -> Double {
        var sums = [Double](repeating: 0, count: grid.count)
        for fold in folds {
            let score = scorer(fold)
            for (i, lambda) in grid.enumerated() { sums[i] += score(lambda) }
        }
        var chosen = 0
        for i in 1..<grid.count where sums[i] / Double(folds.count) > sums[chosen] / Double(folds.count) { chosen = i }
        return grid[chosen]
    }
}

/// A ridge classifier on one decomposition: ridge regression onto ±1 indicators of the classes
/// (scikit-learn's `RidgeClassifier`), predicting the class with the largest output.
struct RidgeClassifierFit {
    let solver: RidgeSolver
    let means: [Double]
    let projected: DoubleMatrix

    init(solver: RidgeSolver, labels: [Int], classes: Int) {
        self.solver = solver
        var targets = DoubleMatrix(rows: labels.count, cols: classes)
        for (r, label) in labels.enumerated() { for c in 0..<classes { targets[r, c] = label == c ? 1 : -1 } }
        means = targets.columnMeans
        projected = solver.project(targets.subtractingRow(means))
    }

    /// The predicted class of each test row at strength λ (the first of equal outputs).
    func predict(lambda: Double) -> [Int] {
        let outputs = solver.predictTest(projected: projected, lambda: lambda)
        return (0..<outputs.rows).map { r in
            var best = 0
            for c in 1..<outputs.cols where outputs[r, c] + means[c] > outputs[r, best] + means[best] { best = c }
            return best
        }
    }

    func accuracy(lambda: Double, truth: [Int]) -> Double {
        let predicted = predict(lambda: lambda)
        return Double(zip(predicted, truth).filter { $0 == $1 }.count) / Double(max(truth.count, 1))
    }
}
