import Foundation
@testable import FourierLens
import Testing

/// Planted signals must be found, noise must stay quiet, and the fast null equals the slow one.
@Suite struct OutlierDetectionTests {
    func noise(rows: Int, cols: Int, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, values: (0..<rows * cols).map { _ in Float(random.nextGaussian()) })
    }

    func numbers(_ matrix: Matrix) -> NumberMatrix {
        NumberMatrix(file: "planted", dataset: "/m", valuesDataset: "/v", layer: nil, matrix: matrix,
                     values: (0..<Int64(matrix.rows)).map { $0 })
    }

    @Test func findsExactlyThePlantedPeriods() {
        // p = 70: period 7 is k = 10, period 3.5 is k = 20. Random phases and amplitudes per column.
        let p = 70, d = 32
        var random = SeededRandom(seed: 7)
        var matrix = noise(rows: p, cols: d, seed: 11)
        for j in 0..<d {
            let (phase7, phase35) = (2 * Double.pi * random.nextUnit(), 2 * Double.pi * random.nextUnit())
            let (a7, a35) = (0.6 + random.nextUnit(), 0.6 + random.nextUnit())
            for x in 0..<p {
                let value = a7 * cos(2 * Double.pi * Double(x) / 7 + phase7) + a35 * cos(2 * Double.pi * Double(x) / 3.5 + phase35)
                matrix[x, j] += Float(value)
            }
        }
        for null in [NullModel.permute, .gaussian] {
            var options = SpectrumOptions()
            options.null = null
            let result = SpectrumRun.run(numbers(matrix), options: options)
            #expect(result.test.outlierFrequencies == [10, 20], "\(null): \(result.test.outlierFrequencies)")
            #expect(SpectrumRun.periodLabel(20, p: p) == "T=3.5")
        }
    }

    @Test func noiseYieldsNoOutliersInAtLeast95Of100Seeds() {
        var seedsWithOutliers = 0
        for seed in 0..<100 {
            var options = SpectrumOptions()
            options.seed = UInt64(seed)
            let result = SpectrumRun.run(numbers(noise(rows: 64, cols: 16, seed: 1000 + UInt64(seed))), options: options)
            if !result.test.outlierFrequencies.isEmpty { seedsWithOutliers += 1 }
        }
        #expect(seedsWithOutliers <= 5, "\(seedsWithOutliers) of 100 noise matrices had outliers")
    }

    @Test func gramAndFFTPermutationNullsAgree() {
        let matrix = SpectralAnalysis.centered(noise(rows: 40, cols: 24, seed: 5))
        let gram = NullDistribution.permutationMagnitudes(matrix, draws: 20, seed: 9, method: .gram)
        let fft = NullDistribution.permutationMagnitudes(matrix, draws: 20, seed: 9, method: .fft)
        for (g, f) in zip(gram, fft) {
            for k in 1..<g.count { #expect(abs(g[k] - f[k]) <= 1e-4 * max(f[k], 1), "k=\(k): \(g[k]) vs \(f[k])") }
        }
    }

    @Test func nullsAreReproducibleFromTheSeed() {
        let matrix = noise(rows: 30, cols: 6, seed: 3)
        let a = NullDistribution.sample(.gaussian, of: matrix, draws: 10, seed: 42, center: false)!
        let b = NullDistribution.sample(.gaussian, of: matrix, draws: 10, seed: 42, center: false)!
        let c = NullDistribution.sample(.gaussian, of: matrix, draws: 10, seed: 43, center: false)!
        #expect(a.mean == b.mean && a.pooledStandardized == b.pooledStandardized)
        #expect(a.mean != c.mean)
        var random = SeededRandom(seed: 1)
        #expect(random.permutation(10).sorted() == Array(0..<10))
        #expect(NullDistribution.sample(.none, of: matrix, draws: 10, seed: 1, center: false) == nil)
    }

    /// Rows a, −a, a, −a: the largest period-2 component four rows can give. 8 of the 24
    /// orderings alternate, so the exact permutation p-value of k = 2 is 1/3, never an outlier.
    @Test func everyOrderingIsEnumeratedWhenThereAreFewerThanTheDraws() {
        #expect(Set(allPermutations(4)).count == 24 && allPermutations(5).count == 120)
        var random = SeededRandom(seed: 4)
        let a = (0..<16).map { _ in Float(random.nextGaussian()) }
        let matrix = Matrix(rows: 4, cols: 16, values: a + a.map { -$0 } + a + a.map { -$0 })
        let result = SpectrumRun.run(numbers(matrix), options: SpectrumOptions())
        #expect(result.null?.exact == true && result.null?.draws == 24)
        #expect(abs(result.test.pValue[2]! - 1.0 / 3) < 1e-12, "\(result.test.pValue)")
        #expect(result.test.outlierFrequencies.isEmpty)
    }

    /// The lens's top periods: a slow trend plus a period-5 peak names period 5, never the trend;
    /// a flat spectrum names nothing.
    @Test func standingOutSkipsTheTrendAndNamesThePeak() {
        let p = 300
        var random = SeededRandom(seed: 8)
        var magnitude = (0...(p / 2)).map { k in 100 / Double(max(k, 1)) + 8 + random.nextGaussian() }
        magnitude[60] += 15
        #expect(SpectralPeaks.standingOut(magnitude, p: p).map(\.k) == [60])
        let flat = (0...(p / 2)).map { _ in 8 + random.nextGaussian() }
        #expect(SpectralPeaks.standingOut(flat, p: p).isEmpty)
    }
}
