import Foundation

/// Runs the probes on one representation matrix (rows = numbers) under k-fold cross-validation.
/// Every fold decomposes its training rows once (and each inner fold that chooses λ once); the
/// value, mod-m, helix and Fourier probes of that fold reuse the decompositions. Pure: no I/O. Protocol in docs/METHODS.md.
public enum ProbeSuite {
    public static func run(_ representation: Matrix, values: [Int64], options: ProbeOptions) throws(ProbeInputError) -> [ProbeScore] {
        let n = representation.rows
        guard options.folds >= 2 else { throw .tooFewFolds(options.folds) }
        guard n >= options.folds, n >= 4 else { throw .tooFewRows(rows: n, folds: options.folds) }
        guard Set(values).count > 1 else { throw .constantValues }
        for period in options.helixPeriods + options.fourierPeriods where !(period > 1) { throw .badPeriod(period) }
        let probes = options.parsedProbes
        // A mod-m probe fits m classes: more classes than rows says nothing and could not be allocated.
        for case let .mod(m) in probes where m > n { throw .modulusTooLarge(m: m, rows: n) }
        let x = DoubleMatrix(rows: n, cols: representation.cols, values: representation.values.map(Double.init))
        var random = SeededRandom(seed: options.seed &+ 0xC0_47_01)
        let shuffledOrder = random.permutation(n)
        let numberings = [("", values), ("control:", shuffledOrder.map { values[$0] })]
        let choosesLambda = probes.contains { if case .helix = $0 { return false }; return true }
        let stratumModulus = probes.reduce(Int?(1)) { l, probe in if case let .mod(m) = probe { return leastCommonMultiple(l, m) } else { return l } }

        var scores: [String: [Double]] = [:], lambdas: [String: [Double]] = [:]
        func record(_ key: String, _ value: Double, lambda: Double? = nil) {
            scores[key, default: []].append(value)
            if let lambda { lambdas[key, default: []].append(lambda) }
        }
        // The control runs the whole pipeline again on its own numbering: folds too, so that
        // both are stratified by the residues they are scored on.
        for (tag, numbers) in numberings {
            let folds = Folds(rows: n, folds: options.folds, seed: options.seed,
                              strata: Self.strata(numbers, modulus: stratumModulus, folds: options.folds))
            let smallestTraining = n - (folds.test.map(\.count).max() ?? 0)
            guard options.innerFolds >= 2, smallestTraining >= options.innerFolds else {
                throw .tooFewInnerRows(rows: smallestTraining, innerFolds: options.innerFolds)
            }
            for f in 0..<options.folds {
                let trainRows = folds.train(f), testRows = folds.test[f]
                let train = x.rows(trainRows), test = x.rows(testRows)
                let means = train.columnMeans
                let trainCentred = train.subtractingRow(means), testCentred = test.subtractingRow(means)
                let trainN = trainRows.map { numbers[$0] }, testN = testRows.map { numbers[$0] }
                let solver: RidgeSolver, search: RidgeStrengthSearch?
                do {
                    solver = try RidgeSolver(train: trainCentred, test: testCentred)
                    // Only the ridge probes (value, mod m, Fourier) choose λ: the helix needs no inner folds.
                    search = !choosesLambda ? nil : try RidgeStrengthSearch(
                        rows: train, folds: options.innerFolds, seed: innerSeed(options.seed, fold: f),
                        strata: Self.strata(trainN, modulus: stratumModulus, folds: options.innerFolds),
                        grid: RidgeStrengthSearch.grid(centredTrain: trainCentred))
                } catch {
                    throw .solverFailed("\(error)")
                }
                let trainA = trainN.map(Double.init), testA = testN.map(Double.init)
                for probe in probes {
                    switch probe {
                    case .value:
                        let (r2, lambda) = valueR2(solver, search!, trainA, testA)
                        record(tag + "value", r2, lambda: lambda)
                    case let .mod(m):
                        let (accuracy, lambda) = modAccuracy(solver, search!, residues(trainN, m), residues(testN, m), m: m)
                        record(tag + probe.description, accuracy, lambda: lambda)
                    case .helix:
                        let (helix, pca, poly) = try helixScores(solver, trainA, testA, options: options)
                        record(tag + "helix", helix)
                        // Like for like: the polynomial has as many columns, the same linear
                        // term, target and folds; the gain is fold by fold.
                        record(tag + "helix_gain", helix - poly)
                        record(tag + "helix_baseline_poly", poly)
                        record(tag + "helix_ceiling_pca", pca)
                    case .fourier:
                        let (r2, lambda) = fourierR2(solver, search!, trainA, testA, options: options)
                        record(tag + "fourier", r2, lambda: lambda)
                    }
                }
            }
        }
        var result: [ProbeScore] = []
        for probe in probes {
            let names = probe == .helix ? ["helix", "helix_gain", "helix_baseline_poly", "helix_ceiling_pca"] : [probe.description]
            for name in names {
                let isClassifier: Bool = { if case .mod = probe { return true } else { return false } }()
                let chance: Double? = { if case let .mod(m) = probe { return 1 / Double(m) } else { return 0 } }()
                // The PCA ceiling never sees the numbers: a shuffled control says nothing about it.
                let control = name == "helix_ceiling_pca" ? nil : scores["control:" + name]
                result.append(ProbeScore(probe: name, metric: isClassifier ? "accuracy" : "r2", folds: scores[name] ?? [],
                                         chance: chance, control: control, lambdas: lambdas[name],
                                         controlLambdas: lambdas["control:" + name]))
            }
        }
        return result
    }

    /// The seed of the inner folds of outer fold f (documented in docs/METHODS.md).
    static func innerSeed(_ seed: UInt64, fold f: Int) -> UInt64 { seed &+ 0x5EED_0000 &+ UInt64(f) }

    /// The strata of the folds: each number's residue mod the least common multiple L of the
    /// mod-m probes' moduli, so every fold holds each residue class in its share; none (plain
    /// folds) when there is no mod-m probe or some residue class has fewer rows than folds.
    static func strata(_ numbers: [Int64], modulus: Int?, folds: Int) -> [Int]? {
        guard let modulus, modulus > 1 else { return nil }
        let strata = residues(numbers, modulus)
        var counts: [Int: Int] = [:]
        for s in strata { counts[s, default: 0] += 1 }
        return counts.values.allSatisfy({ $0 >= folds }) ? strata : nil
    }

    /// lcm(a, b), or nil past Int's range.
    static func leastCommonMultiple(_ a: Int?, _ b: Int) -> Int? {
        guard let a else { return nil }
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        let (product, overflow) = (a / x).multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }

    /// Each number's residue mod m in 0..<m, computed in integers (exact for every Int64).
    static func residues(_ numbers: [Int64], _ m: Int) -> [Int] {
        let modulus = Int64(m)
        return numbers.map { Int((($0 % modulus) + modulus) % modulus) }
    }

    static func column(_ values: [Double]) -> DoubleMatrix { DoubleMatrix(rows: values.count, cols: 1, values: values) }

    /// Ridge regression of a, λ chosen by inner cross-validation; held-out R² and the λ.
    static func valueR2(_ solver: RidgeSolver, _ search: RidgeStrengthSearch, _ trainA: [Double], _ testA: [Double])
        -> (Double, Double) {
        let lambda = search.bestForRegression(trainA)
        let mean = trainA.reduce(0, +) / Double(trainA.count)
        let projected = solver.project(column(trainA.map { $0 - mean }))
        let prediction = solver.predictTest(projected: projected, lambda: lambda)
        return (pooledR2(column(testA), column(prediction.values.map { $0 + mean })), lambda)
    }

    /// A ridge classifier of a mod m, λ chosen by inner cross-validation; held-out accuracy and the λ.
    static func modAccuracy(_ solver: RidgeSolver, _ search: RidgeStrengthSearch, _ trainLabels: [Int], _ testLabels: [Int],
                            m: Int) -> (Double, Double) {
        let lambda = search.bestForClassification(trainLabels, classes: m)
        let classifier = RidgeClassifierFit(solver: solver, labels: trainLabels, classes: m)
        return (classifier.accuracy(lambda: lambda, truth: testLabels), lambda)
    }

    /// Helix fit in the space of the top principal components; the like-for-like baseline, a
    /// polynomial in a with as many columns (its linear term the helix's own, so the two differ
    /// only in smooth against periodic terms), fitted to the same target on the same folds; and
    /// the ceiling, the share the top q components themselves hold (they see the held-out rows,
    /// not a, so no q-column fit of a can exceed them: a ceiling, not a baseline).
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

    /// The Fourier features of a, [cos(2πa/T), sin(2πa/T) for each T], read out of the
    /// representation by ridge regression (one λ for all, chosen by inner cross-validation):
    /// held-out R² pooled over the features, and the λ. Columns that do not vary over the
    /// training numbers (sin of period 2 on integers) are left out: there is nothing to read.
    static func fourierR2(_ solver: RidgeSolver, _ search: RidgeStrengthSearch, _ trainA: [Double], _ testA: [Double],
                          options: ProbeOptions) -> (Double, Double) {
        let train = NumberBasis.fourier(trainA, periods: options.fourierPeriods)
        let varying = (0..<train.cols).filter { c in
            let column = (0..<train.rows).map { train[$0, c] }
            return (column.max()! - column.min()!) > 1e-9
        }
        guard !varying.isEmpty else { return (0, 0) }
        let trainY = train.columns(varying), testY = NumberBasis.fourier(testA, periods: options.fourierPeriods).columns(varying)
        let lambda = search.bestForRegression(columns: trainY)
        let means = trainY.columnMeans
        let prediction = solver.predictTest(projected: solver.project(trainY.subtractingRow(means)), lambda: lambda)
        return (pooledR2(testY, prediction.subtractingRow(means.map { -$0 })), lambda)
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
    case tooFewInnerRows(rows: Int, innerFolds: Int)
    case modulusTooLarge(m: Int, rows: Int)

    public var description: String {
        switch self {
        case let .tooFewFolds(k): return "at least 2 folds, found \(k)"
        case let .tooFewRows(rows, folds): return "at least as many rows as folds (and 4), found \(rows) rows for \(folds) folds"
        case .constantValues: return "numbers that vary, found one value for every row"
        case let .badPeriod(t): return "periods greater than 1, found \(t)"
        case let .solverFailed(message): return "a solvable problem; \(message)"
        case let .tooFewInnerRows(rows, inner):
            return "at least 2 inner folds and as many training rows per fold as inner folds, found \(inner) inner folds for \(rows) training rows"
        case let .modulusTooLarge(m, rows): return "a mod-m probe with m at most the number of rows (\(rows)), found mod\(m)"
        }
    }
}
