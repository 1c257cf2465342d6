import Foundation
@testable import FourierLens
import Testing

/// Planted structure must be found; noise and shuffled labels must stay at chance.
@Suite struct PlantedProbeTests {
    /// Rows a = 0..<n: a random linear map of the helix basis (T = 2, 5, 10, 100) plus noise.
    func helixRepresentation(n: Int, d: Int, noise: Double, seed: UInt64) -> (Matrix, signalShare: Double) {
        var random = SeededRandom(seed: seed)
        let basis = NumberBasis.helix((0..<n).map(Double.init), periods: [2, 5, 10, 100])
        let map = DoubleMatrix(rows: basis.cols, cols: d, values: (0..<basis.cols * d).map { _ in random.nextGaussian() })
        let signal = basis.times(map)
        let signalCentered = signal.subtractingRow(signal.columnMeans)
        let signalEnergy = signalCentered.values.reduce(0) { $0 + $1 * $1 }
        var noiseEnergy = 0.0
        var values = [Float](repeating: 0, count: n * d)
        for i in 0..<(n * d) {
            let e = noise * random.nextGaussian()
            noiseEnergy += e * e
            values[i] = Float(signal.values[i] + e)
        }
        return (Matrix(rows: n, cols: d, values: values), signalEnergy / (signalEnergy + noiseEnergy))
    }

    func score(_ scores: [ProbeScore], _ name: String) -> ProbeScore { scores.first { $0.probe == name }! }

    @Test func helixAndModuliAreRecovered() throws {
        let (matrix, ceiling) = helixRepresentation(n: 500, d: 64, noise: 0.5, seed: 1)
        let scores = try ProbeSuite.run(matrix, values: (0..<500).map(Int64.init), options: ProbeOptions())
        let helix = score(scores, "helix")
        #expect(helix.mean > ceiling - 0.03 && helix.mean <= ceiling + 0.02, "helix R² \(helix.mean), ceiling \(ceiling)")
        #expect(helix.mean > score(scores, "helix_baseline_poly").mean)
        for m in [2, 5, 10] {
            let probe = score(scores, "mod\(m)")
            #expect(probe.mean > 0.95, "mod\(m) accuracy \(probe.mean)")
            #expect(abs(probe.controlMean! - 1 / Double(m)) < 0.08, "mod\(m) shuffled control \(probe.controlMean!)")
        }
        #expect(score(scores, "value").mean > 0.9)
        #expect(score(scores, "helix").controlMean! < 0.05)
    }

    @Test func pureNoiseStaysAtChance() throws {
        var random = SeededRandom(seed: 9)
        let n = 400, d = 50
        let matrix = Matrix(rows: n, cols: d, values: (0..<n * d).map { _ in Float(random.nextGaussian()) })
        let scores = try ProbeSuite.run(matrix, values: (0..<Int64(n)).map { $0 }, options: ProbeOptions())
        #expect(score(scores, "value").mean <= 0)
        #expect(score(scores, "helix").mean <= 0.01)
        #expect(score(scores, "fourier").mean <= 0)
        for m in [2, 5, 10] {
            let probe = score(scores, "mod\(m)")
            // Within three standard errors of chance on 400 held-out predictions.
            let se = (1 / Double(m) * (1 - 1 / Double(m)) / Double(n)).squareRoot()
            #expect(abs(probe.mean - 1 / Double(m)) < 3 * se + 0.01, "mod\(m) on noise: \(probe.mean)")
            #expect(abs(probe.controlMean! - 1 / Double(m)) < 3 * se + 0.01)
        }
    }

    @Test func refusesWhatCannotBeProbed() {
        let matrix = Matrix(rows: 6, cols: 3, values: (0..<18).map(Float.init))
        var options = ProbeOptions()
        #expect(throws: ProbeInputError.tooFewRows(rows: 6, folds: 10)) {
            options.folds = 10
            _ = try ProbeSuite.run(matrix, values: (0..<6).map(Int64.init), options: options)
        }
        #expect(throws: ProbeInputError.constantValues) {
            _ = try ProbeSuite.run(matrix, values: Array(repeating: 3, count: 6), options: ProbeOptions())
        }
        #expect(throws: ProbeInputError.badPeriod(1)) {
            var o = ProbeOptions()
            o.helixPeriods = [1, 5]
            _ = try ProbeSuite.run(matrix, values: (0..<6).map(Int64.init), options: o)
        }
    }
}
