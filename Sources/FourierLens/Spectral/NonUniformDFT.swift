import Foundation

/// The spectrum of rows standing at numbers that are not a contiguous range (`--allow-gaps`): a
/// non-uniform DFT at the numbers' own values, X̂[k, j] = Σ_x X[x, j] e^{−2πik(v_x − v_min)/P}
/// for k = 0…⌊P/2⌋ over the full range P = max − min + 1, so a period T lands on k = P/T as on a
/// contiguous range (the sorted rows are never re-indexed as if equally spaced). With every
/// number present it is the DFT. docs/METHODS.md, "Numbers with gaps".
public struct NonUniformDFT: Sendable {
    /// P, the full range the numbers span.
    public let range: Int
    /// cos and sin of 2πk(v_x − v_min)/P, [bins × rows].
    let cosines: DoubleMatrix
    let sines: DoubleMatrix

    /// The largest range P a table of bins × rows stays small for.
    public static let maximumRange = 200_000

    /// Whether sorted, distinct `values` leave out some number between their first and last.
    public static func hasGaps(_ values: [Int64]) -> Bool {
        guard let first = values.first, let last = values.last else { return false }
        return distance(last, first) != UInt64(values.count - 1)
    }

    /// The range P of sorted `values` (saturating).
    public static func range(of values: [Int64]) -> UInt64 {
        guard let first = values.first, let last = values.last else { return 0 }
        let span = distance(last, first)
        return span == .max ? span : span + 1
    }

    /// `values` sorted and distinct, P within maximumRange (checked by the command).
    public init(values: [Int64]) {
        range = Int(Self.range(of: values))
        let bins = range / 2 + 1, m = values.count, first = values[0]
        var cosValues = [Double](repeating: 0, count: bins * m), sinValues = cosValues
        for k in 0..<bins {
            for x in 0..<m {
                // The phase k·offset mod P in integers: exact for any offset.
                let phase = (k * Int(distance(values[x], first))) % range
                let angle = 2 * Double.pi * Double(phase) / Double(range)
                cosValues[k * m + x] = cos(angle)
                sinValues[k * m + x] = -sin(angle)
            }
        }
        cosines = DoubleMatrix(rows: bins, cols: m, values: cosValues)
        sines = DoubleMatrix(rows: bins, cols: m, values: sinValues)
    }

    /// The spectrum of `matrix`, row x standing at the x-th number: energies, their cos and sin
    /// parts, and each column's strongest frequency, as SpectralAnalysis gives a contiguous range.
    public func spectrum(of matrix: Matrix) -> Spectrum {
        let x = DoubleMatrix(rows: matrix.rows, cols: matrix.cols, values: matrix.values.map(Double.init))
        let re = cosines.times(x), im = sines.times(x)
        let bins = cosines.rows, d = matrix.cols
        var energy = [Double](repeating: 0, count: bins), cosEnergy = energy, sinEnergy = energy
        var topColumns = [Int](repeating: 0, count: bins)
        var columnTop = [Int](repeating: 0, count: d), columnShare = [Double](repeating: 0, count: d)
        var best = [Double](repeating: -1, count: d), columnEnergy = [Double](repeating: 0, count: d)
        for k in 0..<bins {
            for j in 0..<d {
                let a = re[k, j], b = im[k, j]
                cosEnergy[k] += a * a
                sinEnergy[k] += b * b
                let power = a * a + b * b
                if k >= 1 {
                    columnEnergy[j] += power * ((2 * k == range) ? 1 : 2)
                    if power > best[j] { best[j] = power; columnTop[j] = k }
                }
            }
            energy[k] = cosEnergy[k] + sinEnergy[k]
        }
        if bins > 1 {
            for j in 0..<d {
                topColumns[columnTop[j]] += 1
                let weight = 2 * columnTop[j] == range ? 1.0 : 2.0
                columnShare[j] = columnEnergy[j] > 0 ? best[j] * weight / columnEnergy[j] : 0
            }
        }
        return Spectrum(p: range, d: d, energy: energy, cosEnergy: cosEnergy, sinEnergy: sinEnergy,
                        topColumns: topColumns, columnTopFrequency: columnTop, columnTopShare: columnShare)
    }
}

extension NullDistribution {
    /// The null of a spectrum over numbers with gaps: the same models as `sample` (rows
    /// permuted over the fixed numbers, or matched Gaussian rows), each draw transformed by the
    /// same non-uniform DFT as the observed matrix.
    static func sample(_ model: NullModel, of matrix: Matrix, draws: Int, seed: UInt64, center: Bool,
                       nonUniform dft: NonUniformDFT) -> NullDistribution? {
        guard model != .none, draws >= 2 else { return nil }
        var random = SeededRandom(seed: seed)
        let samples: [[Double]], orderings: Double
        var exact = false
        switch model {
        case .permute:
            orderings = factorial(matrix.rows)
            exact = orderings <= Double(draws)
            let orders = exact ? allPermutations(matrix.rows) : (0..<draws).map { _ in random.permutation(matrix.rows) }
            samples = orders.map { dft.spectrum(of: NumberAxis(order: $0, values: []).reorder(matrix)).magnitude }
        case .gaussian:
            orderings = .infinity
            let stats = ColumnStatistics(matrix)
            samples = (0..<draws).map { _ in
                let draw = stats.gaussianMatrix(rows: matrix.rows, random: &random)
                return dft.spectrum(of: center ? SpectralAnalysis.centered(draw) : draw).magnitude
            }
        case .none:
            return nil
        }
        return summarise(model: model, samples: samples, observed: dft.spectrum(of: matrix).magnitude,
                         tolerance: energyTolerance(matrix, method: .fft), seed: seed, exact: exact, orderings: orderings)
    }
}
