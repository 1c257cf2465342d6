import Foundation
@testable import FourierLens
import Testing

/// The permutation null's draws run on several threads through a C kernel: the spectra must be
/// the same bits as the plain loop of the definition, whatever the number of workers.
@Suite struct PermutationNullParallelTests {
    func noise(rows: Int, cols: Int, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        return Matrix(rows: rows, cols: cols, values: (0..<rows * cols).map { _ in Float(random.nextGaussian()) })
    }

    /// The definition, summed in the documented order: lag[m] = Σ_a G[π(a), π(a−m mod p)] over a
    /// ascending, energy_k = Σ_m lag[m]·cos(2πkm/p) over m ascending, magnitude √max(energy, 0).
    func plainLoop(_ matrix: Matrix, order: [Int]) -> [Double] {
        let p = matrix.rows
        let g = DoubleMatrix(rows: p, cols: matrix.cols, values: matrix.values.map(Double.init)).gram().values
        var lag = [Double](repeating: 0, count: p)
        for a in 0..<p {
            for m in 0..<p { lag[m] += g[order[a] * p + order[(a - m + p) % p]] }
        }
        return (0..<(p / 2 + 1)).map { k in
            var energy = 0.0
            for m in 0..<p { energy += lag[m] * cos(2 * Double.pi * Double(k * m % p) / Double(p)) }
            return max(energy, 0).squareRoot()
        }
    }

    @Test(arguments: [(31, 9), (64, 40), (101, 3)])
    func gramKernelEqualsThePlainLoopBitForBit(p: Int, d: Int) {
        let matrix = noise(rows: p, cols: d, seed: UInt64(p))
        var random = SeededRandom(seed: 5)
        let orders = (0..<7).map { _ in random.permutation(p) } + [Array(0..<p)]
        let fast = NullDistribution.permutationMagnitudes(matrix, orders: orders, method: .gram)
        for (order, draw) in zip(orders, fast) {
            #expect(draw == plainLoop(matrix, order: order))
        }
    }

    @Test func drawsDoNotDependOnTheWorkers() {
        let one = NullDistribution.parallelDraws(50, workers: 1) { _, i in [Double(i), sin(Double(i))] }
        let two = NullDistribution.parallelDraws(50, workers: 2) { _, i in [Double(i), sin(Double(i))] }
        let three = NullDistribution.parallelDraws(50, workers: 3) { _, i in [Double(i), sin(Double(i))] }
        #expect(one == two && two == three)
        #expect(one.map { $0[0] } == (0..<50).map(Double.init))
    }

    @Test func fftPathWithOnePlanPerWorkerEqualsOneSharedPlan() {
        // p·d large enough for FFTW's threads: the shared plan may use two threads, each worker's one.
        let matrix = noise(rows: 512, cols: 600, seed: 8)
        var random = SeededRandom(seed: 2)
        let orders = (0..<6).map { _ in random.permutation(512) }
        let parallel = NullDistribution.permutationMagnitudes(matrix, orders: orders, method: .fft)
        let fft = RealFFT(length: 512, count: 600, layout: .columns)
        let serial = orders.map { order in
            SpectralAnalysis.spectrum(of: NumberAxis(order: order, values: []).reorder(matrix), center: false, using: fft).magnitude
        }
        #expect(parallel == serial)
    }

    @Test func sameSeedSameNullWhateverTheDraws() {
        let matrix = SpectralAnalysis.centered(noise(rows: 60, cols: 12, seed: 4))
        let a = NullDistribution.sample(.permute, of: matrix, draws: 40, seed: 17, center: true)!
        let b = NullDistribution.sample(.permute, of: matrix, draws: 40, seed: 17, center: true)!
        #expect(a.mean == b.mean && a.pooledStandardized == b.pooledStandardized && a.atLeast == b.atLeast)
    }
}
