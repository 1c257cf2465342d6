import Foundation

/// What a spectrum looks like when there is no structure along the number axis.
public enum NullModel: String, CaseIterable, Sendable, Codable {
    /// Rows in a random order: keeps every row (values, norms, column statistics), destroys order.
    case permute
    /// Gaussian rows with the same per-column mean and variance.
    case gaussian
    case none
}

/// Magnitudes |X̂[k]| of `draws` null matrices: per-k mean and standard deviation, and the
/// pooled standardised draws used for p-values.
public struct NullDistribution: Sendable {
    public let model: NullModel
    public let draws: Int
    public let seed: UInt64
    public let mean: [Double]
    public let sd: [Double]
    /// 2.5% and 97.5% quantiles per k, for the shaded band in charts.
    public let lower: [Double]
    public let upper: [Double]
    /// (draw − mean_k) / sd_k over every draw and every k ≥ 1, sorted ascending.
    public let pooledStandardized: [Double]

    /// Draws `draws` null matrices from `matrix` (already centred when the spectrum is) and
    /// records their magnitude spectra. Deterministic for a given seed.
    public static func sample(_ model: NullModel, of matrix: Matrix, draws: Int, seed: UInt64, center: Bool) -> NullDistribution? {
        guard model != .none, draws >= 2 else { return nil }
        let p = matrix.rows
        let bins = p / 2 + 1
        var samples: [[Double]]
        switch model {
        case .permute:
            samples = permutationMagnitudes(matrix, draws: draws, seed: seed)
        case .gaussian:
            samples = gaussianMagnitudes(matrix, draws: draws, seed: seed, center: center)
        case .none:
            return nil
        }
        var mean = [Double](repeating: 0, count: bins), sd = mean, lower = mean, upper = mean
        for k in 0..<bins {
            let column = samples.map { $0[k] }.sorted()
            let m = column.reduce(0, +) / Double(draws)
            mean[k] = m
            sd[k] = (column.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(draws - 1)).squareRoot()
            lower[k] = quantile(column, 0.025)
            upper[k] = quantile(column, 0.975)
        }
        var pooled: [Double] = []
        pooled.reserveCapacity(draws * max(0, bins - 1))
        for draw in samples {
            for k in 1..<bins where sd[k] > 0 { pooled.append((draw[k] - mean[k]) / sd[k]) }
        }
        pooled.sort()
        samples.removeAll()
        return NullDistribution(model: model, draws: draws, seed: seed, mean: mean, sd: sd, lower: lower, upper: upper,
                                pooledStandardized: pooled)
    }

    /// Permuted-row spectra. When p is small against d, through the Gram matrix: the energy at
    /// k of a row-permuted X is Σ_m c(m) cos(2πkm/p) with c(m) = Σ_a G[π(a), π(a−m mod p)] and
    /// G = X Xᵀ (Wiener–Khinchin), O(p²) per draw instead of d FFTs. Otherwise by FFT.
    enum PermutationMethod { case automatic, gram, fft }

    static func permutationMagnitudes(_ matrix: Matrix, draws: Int, seed: UInt64,
                                      method: PermutationMethod = .automatic) -> [[Double]] {
        let p = matrix.rows, d = matrix.cols
        var random = SeededRandom(seed: seed)
        let permutations = (0..<draws).map { _ in random.permutation(p) }
        let useGram: Bool
        switch method {
        case .automatic: useGram = p <= 4096 && Double(p) <= Double(d) * log2(Double(max(p, 2)))
        case .gram: useGram = true
        case .fft: useGram = false
        }
        if !useGram {
            let fft = RealFFT(length: p, count: d, layout: .columns)
            return permutations.map { order in
                let permuted = NumberAxis(order: order, values: []).reorder(matrix)
                return SpectralAnalysis.spectrum(of: permuted, center: false, using: fft).magnitude
            }
        }
        let gram = DoubleMatrix(rows: p, cols: d, values: matrix.values.map(Double.init)).gram().values
        let bins = p / 2 + 1
        let cosines = (0..<bins).map { k in (0..<p).map { m in cos(2 * Double.pi * Double(k * m % p) / Double(p)) } }
        return gram.withUnsafeBufferPointer { g in
            permutations.map { order in
                var lag = [Double](repeating: 0, count: p)
                for a in 0..<p {
                    let row = order[a] * p
                    for m in 0..<p {
                        let b = a >= m ? a - m : a - m + p
                        lag[m] += g[row + order[b]]
                    }
                }
                return cosines.map { table in
                    var energy = 0.0
                    for m in 0..<p { energy += lag[m] * table[m] }
                    return max(energy, 0).squareRoot()
                }
            }
        }
    }

    /// Spectra of Gaussian matrices with `matrix`'s per-column mean and standard deviation.
    static func gaussianMagnitudes(_ matrix: Matrix, draws: Int, seed: UInt64, center: Bool) -> [[Double]] {
        var random = SeededRandom(seed: seed)
        let stats = ColumnStatistics(matrix)
        let fft = RealFFT(length: matrix.rows, count: matrix.cols, layout: .columns)
        return (0..<draws).map { _ in
            let draw = stats.gaussianMatrix(rows: matrix.rows, random: &random)
            return SpectralAnalysis.spectrum(of: draw, center: center, using: fft).magnitude
        }
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
