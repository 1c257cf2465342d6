import Foundation

/// The spectrum of a [p × d] matrix along its rows (the number axis): for each frequency
/// k = 0..⌊p/2⌋, the energy Σ_j |X̂[k, j]|² of the DFT X̂[k, j] = Σ_x X[x, j] e^{-2πikx/p}.
public struct Spectrum: Equatable, Sendable {
    public let p: Int
    public let d: Int
    /// Σ_j |X̂[k, j]|², k = 0..⌊p/2⌋.
    public let energy: [Double]
    /// Σ_j Re(X̂[k, j])² and Σ_j Im(X̂[k, j])²: the cos and sin parts.
    public let cosEnergy: [Double]
    public let sinEnergy: [Double]
    /// How many columns have their largest |X̂[k, j]| (k ≥ 1) at each k.
    public let topColumns: [Int]
    /// Per column j: the frequency k ≥ 1 of its largest |X̂[k, j]|, and that frequency's share
    /// of the column's energy at k ≥ 1 (in the real orthonormal basis).
    public let columnTopFrequency: [Int]
    public let columnTopShare: [Double]

    public var frequencies: Range<Int> { 0..<energy.count }

    /// |X̂[k]|: the L2 norm over columns of the DFT coefficient at k.
    public var magnitude: [Double] { energy.map { $0.squareRoot() } }

    /// p / k (nil at k = 0).
    public func period(_ k: Int) -> Double? { k == 0 ? nil : Double(p) / Double(k) }

    /// The weight of frequency k in the real orthonormal basis (const, √(2/p) cos, √(2/p) sin):
    /// k = 0 and k = p/2 have one basis vector, every other k two.
    func basisWeight(_ k: Int) -> Double {
        (k == 0 || 2 * k == p) ? 1 / Double(p) : 2 / Double(p)
    }

    /// Energy of frequency k in the real orthonormal basis; these sum to ‖X‖²_F (Parseval).
    public var basisEnergy: [Double] { frequencies.map { energy[$0] * basisWeight($0) } }
    public var cosBasisEnergy: [Double] { frequencies.map { cosEnergy[$0] * basisWeight($0) } }
    public var sinBasisEnergy: [Double] { frequencies.map { sinEnergy[$0] * basisWeight($0) } }

    public var totalEnergy: Double { basisEnergy.reduce(0, +) }

    /// Each frequency's share of the total energy (k = 0 included); they sum to 1 (Parseval).
    public var energyFraction: [Double] {
        let total = totalEnergy
        return basisEnergy.map { total > 0 ? $0 / total : 0 }
    }

    /// The energy at k ≥ 1: the denominator of every share FourierLens reports. The constant
    /// k = 0 (each column's mean) is left out, so that a large mean cannot shrink every share.
    public var nonConstantEnergy: Double { basisEnergy.dropFirst().reduce(0, +) }

    /// Each frequency's share of the non-constant energy: nil at k = 0, summing to 1 over k ≥ 1.
    public var nonConstantFraction: [Double?] { shareOfNonConstant(basisEnergy) }
    public var cosNonConstantFraction: [Double?] { shareOfNonConstant(cosBasisEnergy) }
    public var sinNonConstantFraction: [Double?] { shareOfNonConstant(sinBasisEnergy) }

    /// The constant's (k = 0) share of the total energy, reported beside the shares.
    public var constantFraction: Double { totalEnergy > 0 ? basisEnergy[0] / totalEnergy : 0 }

    func shareOfNonConstant(_ energies: [Double]) -> [Double?] {
        let denominator = nonConstantEnergy
        return energies.indices.map { k in k == 0 ? nil : (denominator > 0 ? energies[k] / denominator : 0) }
    }

    /// The share of the non-constant energy (k ≥ 1) that lies in `ks`: the sum of
    /// `nonConstantFraction` over `ks`.
    public func energyFraction(in ks: Set<Int>) -> Double {
        let basis = basisEnergy
        let nonConstant = nonConstantEnergy
        guard nonConstant > 0 else { return 0 }
        // Summed in ascending k: a Set's order changes from run to run, and so would the last bits.
        return ks.filter { $0 >= 1 && $0 < basis.count }.sorted().reduce(0) { $0 + basis[$1] } / nonConstant
    }

    /// The split of the non-constant energy into low (1 ≤ k < τ) and high (k ≥ τ) frequencies.
    public func bandSplit(tau: Int) -> (low: Double, high: Double) {
        let low = energyFraction(in: Set(1..<max(1, min(tau, energy.count))))
        return (low, 1 - low)
    }
}

public enum SpectralAnalysis {
    /// The spectrum of `matrix` (rows in number order), optionally centring each column first.
    public static func spectrum(of matrix: Matrix, center: Bool) -> Spectrum {
        spectrum(of: matrix, center: center, using: RealFFT(length: matrix.rows, count: matrix.cols, layout: .columns))
    }

    /// The same with a plan made once by the caller and reused (the null's many draws).
    static func spectrum(of matrix: Matrix, center: Bool, using fft: RealFFT) -> Spectrum {
        let x = center ? centered(matrix) : matrix
        let p = x.rows, d = x.cols
        precondition(fft.n == p && fft.count == d && fft.layout == .columns)
        let bins = fft.bins
        var energy = [Double](repeating: 0, count: bins)
        var cosEnergy = energy, sinEnergy = energy
        var topColumns = [Int](repeating: 0, count: bins)
        var columnTop = [Int](repeating: 0, count: d)
        var columnShare = [Double](repeating: 0, count: d)
        x.values.withUnsafeBufferPointer { input in
            fft.transform(input) { coefficients in
                var best = [Float](repeating: -1, count: d)
                var bestK = [Int](repeating: 0, count: d)
                var columnEnergy = [Double](repeating: 0, count: d)
                for k in 0..<bins {
                    var re2 = 0.0, im2 = 0.0
                    let base = 2 * k * d
                    for j in 0..<d {
                        let re = coefficients[base + 2 * j], im = coefficients[base + 2 * j + 1]
                        re2 += Double(re * re)
                        im2 += Double(im * im)
                        let power = re * re + im * im
                        if k >= 1 {
                            columnEnergy[j] += Double(power) * ((2 * k == p) ? 1 : 2)
                            if power > best[j] { best[j] = power; bestK[j] = k }
                        }
                    }
                    cosEnergy[k] = re2
                    sinEnergy[k] = im2
                    energy[k] = re2 + im2
                }
                if bins > 1 {
                    for j in 0..<d {
                        topColumns[bestK[j]] += 1
                        columnTop[j] = bestK[j]
                        let weight = 2 * bestK[j] == p ? 1.0 : 2.0
                        columnShare[j] = columnEnergy[j] > 0 ? Double(best[j]) * weight / columnEnergy[j] : 0
                    }
                }
            }
        }
        return Spectrum(p: p, d: d, energy: energy, cosEnergy: cosEnergy,
                        sinEnergy: sinEnergy, topColumns: topColumns, columnTopFrequency: columnTop, columnTopShare: columnShare)
    }

    /// Each column minus its mean (accumulated in Double).
    public static func centered(_ matrix: Matrix) -> Matrix {
        let means = columnMeans(matrix)
        var result = matrix
        for i in 0..<matrix.rows {
            for j in 0..<matrix.cols {
                result.values[i * matrix.cols + j] = Float(Double(matrix.values[i * matrix.cols + j]) - means[j])
            }
        }
        return result
    }

    public static func columnMeans(_ matrix: Matrix) -> [Double] {
        var sums = [Double](repeating: 0, count: matrix.cols)
        for i in 0..<matrix.rows {
            for j in 0..<matrix.cols { sums[j] += Double(matrix.values[i * matrix.cols + j]) }
        }
        return sums.map { $0 / Double(max(matrix.rows, 1)) }
    }
}
