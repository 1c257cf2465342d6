import Foundation

/// Runs the probes on one representation matrix (rows = numbers) under k-fold cross-validation.
/// Every fold decomposes its training rows once; the value, mod-m and helix probes and all
/// their controls reuse that decomposition. Pure: no I/O. Protocol in docs/METHODS.md.
public enum ProbeSuite {
    public static func run(_ representation: Matrix, values: [Int64], options: ProbeOptions) throws(ProbeInputError) -> [ProbeScore] {
        let n = representation.rows
        guard options.folds >= 2 else { throw .tooFewFolds(options.folds) }
        guard n >= options.folds, n >= 4 else { throw .tooFewRows(rows: n, folds: options.folds) }
        guard Set(values).count > 1 else { throw .constantValues }
        for period in options.helixPeriods + options.fourierPeriods where !(period > 1) { throw .badPeriod(period) }
        let probes = options.parsedProbes
        let x = DoubleMatrix(rows: n, cols: representation.cols, values: representation.values.map(Double.init))
        let a = values.map(Double.init)
        var random = SeededRandom(seed: options.seed &+ 0xC0_47_01)
        let shuffled = random.permutation(n).map { a[$0] }
        let folds = Folds(rows: n, folds: options.folds, seed: options.seed)

        var scores: [String: [Double]] = [:]
        func record(_ key: String, _ value: Double) { scores[key, default: []].append(value) }
        for f in 0..<options.folds {
            let trainRows = folds.train(f), testRows = folds.test[f]
            let train = x.rows(trainRows), test = x.rows(testRows)
            let means = train.columnMeans
            let testCentred = test.subtractingRow(means)
            let solver: RidgeSolver
            do {
                solver = try RidgeSolver(train: train.subtractingRow(means), test: testCentred)
            } catch {
                throw .solverFailed("\(error)")
            }
            for (tag, numbers) in [("", a), ("control:", shuffled)] {
                let trainA = trainRows.map { numbers[$0] }, testA = testRows.map { numbers[$0] }
                for probe in probes {
                    switch probe {
                    case .value:
                        record(tag + "value", valueR2(solver, trainA, testA))
                    case let .mod(m):
                        record(tag + probe.description, modAccuracy(solver, trainA, testA, m: m))
                    case .helix:
                        let (helix, pca, poly) = try helixScores(solver, trainA, testA, options: options)
                        record(tag + "helix", helix)
                        record(tag + "helix_baseline_pca", pca)
                        record(tag + "helix_baseline_poly", poly)
                    case .fourier:
                        record(tag + "fourier", try fourierR2(solver, testCentred, trainA, testA, options: options))
                    }
                }
            }
        }
        var result: [ProbeScore] = []
        for probe in probes {
            let names = probe == .helix ? ["helix", "helix_baseline_pca", "helix_baseline_poly"] : [probe.description]
            for name in names {
                let isClassifier: Bool = { if case .mod = probe { return true } else { return false } }()
                let chance: Double? = { if case let .mod(m) = probe { return 1 / Double(m) } else { return 0 } }()
                // The PCA baseline never sees the numbers: a shuffled control says nothing about it.
                let control = name == "helix_baseline_pca" ? nil : scores["control:" + name]
                result.append(ProbeScore(probe: name, metric: isClassifier ? "accuracy" : "r2", folds: scores[name] ?? [],
                                         chance: chance, control: control))
            }
        }
        return result
    }

    static func column(_ values: [Double]) -> DoubleMatrix { DoubleMatrix(rows: values.count, cols: 1, values: values) }

    /// Ridge regression of a (λ by GCV inside the training rows); R² on the test rows.
    static func valueR2(_ solver: RidgeSolver, _ trainA: [Double], _ testA: [Double]) -> Double {
        let mean = trainA.reduce(0, +) / Double(trainA.count)
        let prediction = solver.fitAndPredict(column(trainA.map { $0 - mean }))
        return pooledR2(column(testA), column(prediction.values.map { $0 + mean }))
    }

    /// A ridge classifier: ridge regression onto ±1 class indicators (one λ for all classes, by
    /// summed GCV), predicting the class with the largest output.
    static func modAccuracy(_ solver: RidgeSolver, _ trainA: [Double], _ testA: [Double], m: Int) -> Double {
        func label(_ a: Double) -> Int { ((Int(a.rounded()) % m) + m) % m }
        var targets = DoubleMatrix(rows: trainA.count, cols: m)
        for (r, a) in trainA.enumerated() { for c in 0..<m { targets[r, c] = label(a) == c ? 1 : -1 } }
        let means = targets.columnMeans
        let prediction = solver.fitAndPredict(targets.subtractingRow(means))
        var correct = 0
        for (r, a) in testA.enumerated() {
            var best = 0
            for c in 1..<m where prediction[r, c] + means[c] > prediction[r, best] + means[best] { best = c }
            if best == label(a) { correct += 1 }
        }
        return Double(correct) / Double(testA.count)
    }

    /// Helix fit in the space of the top principal components, and the two baselines with as
    /// many parameters: the top principal components themselves, and a polynomial in a.
    static func helixScores(_ solver: RidgeSolver, _ trainA: [Double], _ testA: [Double], options: ProbeOptions)
        throws(ProbeInputError) -> (Double, Double, Double) {
        let count = min(options.pcaDimensions, trainA.count - 1)
        let (trainZ, testZ) = solver.principalScores(count: count)
        guard trainZ.cols > 0 else { return (0, 0, 0) }
        let helixTrain = NumberBasis.helix(trainA, periods: options.helixPeriods)
        let helixTest = NumberBasis.helix(testA, periods: options.helixPeriods)
        let helix = try fitR2(helixTrain, trainZ, helixTest, testZ)
        let q = helixTrain.cols
        // Top q components: the test rows' coordinates beyond them are the residual.
        var pcaPrediction = DoubleMatrix(rows: testZ.rows, cols: testZ.cols)
        for r in 0..<testZ.rows { for c in 0..<min(q, testZ.cols) { pcaPrediction[r, c] = testZ[r, c] } }
        let pca = pooledR2(testZ, pcaPrediction)
        let center = trainA.reduce(0, +) / Double(trainA.count)
        let scale = standardDeviation(trainA)
        let poly = try fitR2(NumberBasis.polynomial(trainA, degree: q, center: center, scale: scale), trainZ,
                             NumberBasis.polynomial(testA, degree: q, center: center, scale: scale), testZ)
        return (helix, pca, poly)
    }

    /// The Fourier basis at the chosen periods fitted to the whole centred representation.
    static func fourierR2(_ solver: RidgeSolver, _ test: DoubleMatrix, _ trainA: [Double], _ testA: [Double],
                          options: ProbeOptions) throws(ProbeInputError) -> Double {
        try fitR2(NumberBasis.fourier(trainA, periods: options.fourierPeriods), solver.train,
                  NumberBasis.fourier(testA, periods: options.fourierPeriods), test)
    }

    /// Least squares of Y on [1, B] over the training rows; pooled R² on the test rows.
    static func fitR2(_ trainBasis: DoubleMatrix, _ trainY: DoubleMatrix, _ testBasis: DoubleMatrix, _ testY: DoubleMatrix)
        throws(ProbeInputError) -> Double {
        let coefficients: DoubleMatrix
        do {
            coefficients = try leastSquares(NumberBasis.withIntercept(trainBasis), trainY)
        } catch {
            throw .solverFailed("\(error)")
        }
        return pooledR2(testY, NumberBasis.withIntercept(testBasis).times(coefficients))
    }
}

public enum ProbeInputError: Error, Equatable, CustomStringConvertible {
    case tooFewFolds(Int)
    case tooFewRows(rows: Int, folds: Int)
    case constantValues
    case badPeriod(Double)
    case solverFailed(String)

    public var description: String {
        switch self {
        case let .tooFewFolds(k): return "at least 2 folds, found \(k)"
        case let .tooFewRows(rows, folds): return "at least as many rows as folds (and 4), found \(rows) rows for \(folds) folds"
        case .constantValues: return "numbers that vary, found one value for every row"
        case let .badPeriod(t): return "periods greater than 1, found \(t)"
        case let .solverFailed(message): return "a solvable problem; \(message)"
        }
    }
}
