import Foundation
@testable import FourierLens
import Testing

/// The probes' solvers against numpy/scipy (Tests/Fixtures/make_probe_reference.py).
@Suite struct ProbeReferenceTests {
    struct Reference: Decodable {
        struct Ridge: Decodable {
            let n_train: Int, d: Int, x: [Double], y: [Double], lambdas: [Double], predictions: [[Double]]
        }
        struct LeastSquares: Decodable { let a: [Double], b: [Double], x: [Double] }
        let ridge: [Ridge]
        let lstsq: LeastSquares
    }

    static let reference: Reference = {
        let url = TestPaths.packageRoot.appendingPathComponent("Tests/Fixtures/probe_reference.json")
        return try! JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }()

    @Test(arguments: [0, 1])  // 0: fewer rows than columns (the dual); 1: more (the primal)
    func ridgeEqualsTheClosedForm(index: Int) throws {
        let c = Self.reference.ridge[index]
        let rows = c.y.count
        let x = DoubleMatrix(rows: rows, cols: c.d, values: c.x)
        let train = x.rows(Array(0..<c.n_train)), test = x.rows(Array(c.n_train..<rows))
        let means = train.columnMeans
        let solver = try RidgeSolver(train: train.subtractingRow(means), test: test.subtractingRow(means))
        #expect(solver.dual == (index == 0))
        let yTrain = Array(c.y[0..<c.n_train])
        let mean = yTrain.reduce(0, +) / Double(yTrain.count)
        let y = DoubleMatrix(rows: c.n_train, cols: 1, values: yTrain.map { $0 - mean })
        let projected = solver.project(y)
        for (lambda, expected) in zip(c.lambdas, c.predictions) {
            let predicted = solver.predictTest(projected: projected, lambda: lambda).values
            for (p, e) in zip(predicted, expected) { #expect(abs(p - e) <= 1e-8 * max(1, abs(e)), "λ=\(lambda): \(p) vs \(e)") }
        }
    }

    @Test func leastSquaresEqualsScipy() throws {
        let c = Self.reference.lstsq
        let solution = try leastSquares(DoubleMatrix(rows: 25, cols: 4, values: c.a), DoubleMatrix(rows: 25, cols: 3, values: c.b))
        for (s, e) in zip(solution.values, c.x) { #expect(abs(s - e) < 1e-10) }
    }

    @Test func foldsPartitionTheRowsReproducibly() {
        let folds = Folds(rows: 23, folds: 5, seed: 4)
        #expect(folds == Folds(rows: 23, folds: 5, seed: 4))
        #expect(folds != Folds(rows: 23, folds: 5, seed: 5))
        #expect(folds.test.map(\.count) == [5, 5, 5, 4, 4])
        #expect(folds.test.flatMap { $0 }.sorted() == Array(0..<23))
        #expect(Set(folds.train(2)).isDisjoint(with: folds.test[2]) && folds.train(2).count == 18)
    }
}
