import CKernels
import Dispatch
import Foundation

/// A pointer or closure handed to worker threads that each touch only their own slots.
struct UncheckedPointer<T>: @unchecked Sendable { let pointer: UnsafeMutablePointer<T>; init(_ p: UnsafeMutablePointer<T>) { pointer = p } }
struct UncheckedClosure: @unchecked Sendable { let call: (Int, Int) -> [Double]; init(_ c: @escaping (Int, Int) -> [Double]) { call = c } }

/// What a spectrum looks like when there is no structure along the number axis.
public enum NullModel: String, CaseIterable, Sendable, Codable {
    /// Rows in a random order: keeps every row (values, norms, column statistics), destroys order.
    case permute
    /// Gaussian rows with the same per-column mean and variance.
    case gaussian
    case none
}

/// Magnitudes |X̂[k]| of the null's draws: per-k mean and standard deviation, the pooled
/// standardised draws, and how many draws reach the observed value at each k, with the observed
/// magnitudes computed by the same code path and precision as the draws (so that a draw equal
/// to the observed matrix ties with it instead of landing on either side by rounding).
public struct NullDistribution: Sendable {
    public let model: NullModel
    /// The number of null matrices: the draws asked for, or every ordering (p!) when exact.
    public let draws: Int
    public let seed: UInt64
    /// true when every ordering of the rows was enumerated (p! ≤ the draws asked for): the
    /// p-values are then exact, #{orderings reaching the observed} / p!.
    public let exact: Bool
    /// How many distinct null matrices exist (p! for permutations, +∞ for Gaussian draws).
    public let orderings: Double
    public let mean: [Double]
    public let sd: [Double]
    /// 2.5% and 97.5% quantiles per k, for the shaded band in charts.
    public let lower: [Double]
    public let upper: [Double]
    /// (draw − mean_k) / sd_k over every draw and every k ≥ 1, sorted ascending.
    public let pooledStandardized: [Double]
    /// |X̂[k]| of the observed matrix, computed exactly as the draws are.
    public let observed: [Double]
    /// Per k: the draws whose energy reaches the observed one, |X̂_draw[k]|² ≥ |X̂[k]|² − tolerance.
    public let atLeast: [Int]
    /// The rounding bound of the energies (ties closer than this count as ≥).
    public let tolerance: Double

    /// Draws `draws` null matrices from `matrix` (already centred when the spectrum is) and
    /// records their magnitude spectra. When the permutation null has no more orderings than
    /// draws (p! ≤ draws), every ordering is enumerated instead. Deterministic for a given seed.
    public static func sample(_ model: NullModel, of matrix: Matrix, draws: Int, seed: UInt64, center: Bool) -> NullDistribution? {
        guard model != .none, draws >= 2 else { return nil }
        var samples: [[Double]]
        let observed: [Double], tolerance: Double, orderings: Double
        var exact = false
        switch model {
        case .permute:
            orderings = factorial(matrix.rows)
            let orders: [[Int]]
            if orderings <= Double(draws) {
                orders = allPermutations(matrix.rows)
                exact = true
            } else {
                var random = SeededRandom(seed: seed)
                orders = (0..<draws).map { _ in random.permutation(matrix.rows) }
            }
            let method = permutationMethod(matrix)
            // The identity goes through the same code as the draws: the observed statistic.
            samples = permutationMagnitudes(matrix, orders: orders + [Array(0..<matrix.rows)], method: method)
            observed = samples.removeLast()
            tolerance = energyTolerance(matrix, method: method)
        case .gaussian:
            orderings = .infinity
            let fft = RealFFT(length: matrix.rows, count: matrix.cols, layout: .columns)
            samples = gaussianMagnitudes(matrix, draws: draws, seed: seed, center: center, using: fft)
            observed = SpectralAnalysis.spectrum(of: matrix, center: center, using: fft).magnitude
            tolerance = energyTolerance(matrix, method: .fft)
        case .none:
            return nil
        }
        return summarise(model: model, samples: samples, observed: observed, tolerance: tolerance, seed: seed,
                         exact: exact, orderings: orderings)
    }

    /// Mean, sd, 95% band, pooled standardised draws and tie-aware counts of a set of draws.
    static func summarise(model: NullModel, samples: [[Double]], observed: [Double], tolerance: Double, seed: UInt64,
                          exact: Bool, orderings: Double) -> NullDistribution {
        let count = samples.count, bins = observed.count
        var mean = [Double](repeating: 0, count: bins), sd = mean, lower = mean, upper = mean
        var atLeast = [Int](repeating: 0, count: bins)
        for k in 0..<bins {
            let column = samples.map { $0[k] }.sorted()
            let m = column.reduce(0, +) / Double(count)
            mean[k] = m
            sd[k] = (column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(max(count - 1, 1))).squareRoot()
            lower[k] = quantile(column, 0.025)
            upper[k] = quantile(column, 0.975)
            let target = observed[k] * observed[k] - tolerance
            atLeast[k] = column.reduce(0) { $0 + ($1 * $1 >= target ? 1 : 0) }
        }
        var pooled: [Double] = []
        pooled.reserveCapacity(count * max(0, bins - 1))
        for draw in samples {
            for k in 1..<max(bins, 1) where sd[k] > 0 { pooled.append((draw[k] - mean[k]) / sd[k]) }
        }
        pooled.sort()
        return NullDistribution(model: model, draws: count, seed: seed, exact: exact, orderings: orderings, mean: mean, sd: sd,
                                lower: lower, upper: upper, pooledStandardized: pooled, observed: observed,
                                atLeast: atLeast, tolerance: tolerance)
    }

    /// Permuted-row spectra. When p is small against d, through the Gram matrix: the energy at
    /// k of a row-permuted X is Σ_m c(m) cos(2πkm/p) with c(m) = Σ_a G[π(a), π(a−m mod p)] and
    /// G = X Xᵀ (Wiener–Khinchin), O(p²) per draw instead of d FFTs. Otherwise by FFT.
    enum PermutationMethod { case automatic, gram, fft }

    static func permutationMethod(_ matrix: Matrix) -> PermutationMethod {
        let p = matrix.rows, d = matrix.cols
        return p <= 4096 && Double(p) <= Double(d) * log2(Double(max(p, 2))) ? .gram : .fft
    }

    /// An upper bound on the rounding error of one energy Σ_j |X̂[k, j]|² ≤ p‖X‖²_F: in double
    /// through the Gram matrix (dsyrk over d, then sums over p lags of p terms), in single
    /// precision through FFTW (log₂ p butterfly stages).
    static func energyTolerance(_ matrix: Matrix, method: PermutationMethod) -> Double {
        let p = Double(matrix.rows), d = Double(matrix.cols)
        let scale = p * matrix.values.reduce(0.0) { $0 + Double($1) * Double($1) }
        switch method {
        case .gram: return 2 * (p + d) * Double.ulpOfOne * scale
        case .fft, .automatic: return 4 * Double(Float.ulpOfOne) * log2(max(p, 2)).rounded(.up) * scale
        }
    }

    static func permutationMagnitudes(_ matrix: Matrix, draws: Int, seed: UInt64,
                                      method: PermutationMethod = .automatic) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        let orders = (0..<draws).map { _ in random.permutation(matrix.rows) }
        return permutationMagnitudes(matrix, orders: orders, method: method == .automatic ? permutationMethod(matrix) : method)
    }

    /// The draws are independent: they run on both cores, each written to its own slot, and
    /// each draw's arithmetic (the order of every sum) is the same whatever the thread count,
    /// so the spectra, and the p-values, are the same bits for a seed however they are scheduled.
    /// Through the Gram matrix: lag[m] = Σ_a G[π(a), π(a−m mod p)] summed over a ascending, then
    /// Σ_m lag[m] cos(2πkm/p) over m ascending (fl_permuted_energy).
    static func permutationMagnitudes(_ matrix: Matrix, orders permutations: [[Int]], method: PermutationMethod) -> [[Double]] {
        let p = matrix.rows, d = matrix.cols
        if method == .fft {
            // One plan per worker (made under the planner lock), each transforming its own draws.
            let workers = permutations.count >= 4 ? 2 : 1
            let plans = (0..<workers).map { _ in RealFFT(length: p, count: d, layout: .columns, threads: 1) }
            return parallelDraws(permutations.count, workers: workers) { worker, i in
                let permuted = NumberAxis(order: permutations[i], values: []).reorder(matrix)
                return SpectralAnalysis.spectrum(of: permuted, center: false, using: plans[worker]).magnitude
            }
        }
        let gram = DoubleMatrix(rows: p, cols: d, values: matrix.values.map(Double.init)).gram().values
        let bins = p / 2 + 1
        // cos(2πkm/p) laid out [p × bins]: the energies of all k take one pass over the lags.
        var cosines = [Double](repeating: 0, count: bins * p)
        for k in 0..<bins { for m in 0..<p { cosines[m * bins + k] = cos(2 * Double.pi * Double(k * m % p) / Double(p)) } }
        return gram.withUnsafeBufferPointer { g in
            cosines.withUnsafeBufferPointer { table in
                parallelDraws(permutations.count, workers: permutations.count >= 4 ? 2 : 1) { _, i in
                    var lag = [Double](repeating: 0, count: p), row = lag, energy = [Double](repeating: 0, count: bins)
                    permutations[i].withUnsafeBufferPointer { order in
                        order.baseAddress!.withMemoryRebound(to: CLong.self, capacity: p) { order in
                            fl_permuted_energy(g.baseAddress!, order, p, bins, table.baseAddress!, &lag, &row, &energy)
                        }
                    }
                    return energy
                }
            }
        }
    }

    /// `count` draws computed by `workers` threads (draw i by worker i mod workers), in draw order.
    static func parallelDraws(_ count: Int, workers: Int, _ draw: (Int, Int) -> [Double]) -> [[Double]] {
        var results = [[Double]](repeating: [], count: count)
        results.withUnsafeMutableBufferPointer { slots in
            let out = UncheckedPointer(slots.baseAddress!)
            withoutActuallyEscaping(draw) { draw in
                let body = UncheckedClosure(draw)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    for i in stride(from: worker, to: count, by: workers) { out.pointer[i] = body.call(worker, i) }
                }
            }
        }
        return results
    }

    /// Spectra of Gaussian matrices with `matrix`'s per-column mean and standard deviation.
    static func gaussianMagnitudes(_ matrix: Matrix, draws: Int, seed: UInt64, center: Bool, using fft: RealFFT) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        let stats = ColumnStatistics(matrix)
        return (0..<draws).map { _ in
            let draw = stats.gaussianMatrix(rows: matrix.rows, random: &random)
            return SpectralAnalysis.spectrum(of: draw, center: center, using: fft).magnitude
        }
    }
}

/// n! as a Double (+∞ past 170!).
func factorial(_ n: Int) -> Double {
    (1...max(n, 1)).reduce(1.0) { $0 * Double($1) }
}

/// Every permutation of 0..<n in lexicographic order (n! of them; for small n only).
func allPermutations(_ n: Int) -> [[Int]] {
    var current = Array(0..<n)
    var result = [current]
    while true {
        guard var i = current.indices.dropLast().last(where: { current[$0] < current[$0 + 1] }) else { return result }
        var j = n - 1
        while current[j] <= current[i] { j -= 1 }
        current.swapAt(i, j)
        i += 1
        current[i...].reverse()
        result.append(current)
    }
}

/// The sample quantile q of sorted values (linear interpolation, as numpy's default).
func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let low = Int(position.rounded(.down)), high = min(low + 1, sorted.count - 1)
    return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
}

/// Per-column mean and standard deviation, for matched random baselines.
public struct ColumnStatistics: Sendable {
    public let mean: [Double]
    public let sd: [Double]

    public init(_ matrix: Matrix) {
        mean = SpectralAnalysis.columnMeans(matrix)
        var squares = [Double](repeating: 0, count: matrix.cols)
        for i in 0..<matrix.rows {
            for j in 0..<matrix.cols {
                let delta = Double(matrix.values[i * matrix.cols + j]) - mean[j]
                squares[j] += delta * delta
            }
        }
        sd = squares.map { ($0 / Double(max(matrix.rows - 1, 1))).squareRoot() }
    }

    /// Gaussian rows with these column means and standard deviations.
    public func gaussianMatrix(rows: Int, random: inout SeededRandom) -> Matrix {
        let cols = mean.count
        var values = [Float](repeating: 0, count: rows * cols)
        for i in 0..<rows {
            for j in 0..<cols { values[i * cols + j] = Float(mean[j] + sd[j] * random.nextGaussian()) }
        }
        return Matrix(rows: rows, cols: cols, values: values)
    }
}
