import Foundation

/// Removes a band of frequencies from what an activation says about the numbers (Zhou et al.
/// 2024, Def. A.6): with W_num the unembedding's number-token columns in number order and F the
/// real orthonormal Fourier basis over the p numbers, M = B F W_numᵀ keeps the rows of F in the
/// band to remove; the filtered activation is the projection of x onto the null space of M,
/// x' = x − Q Qᵀ x with Q an orthonormal basis of M's row space. Its number logits W_numᵀ x'
/// have no energy left in the band, and x' is the closest vector to x with that property.
public struct FourierFilter: Sendable {
    public enum Removed: String, CaseIterable, Sendable, Codable {
        /// High-pass: remove 1 ≤ k < τ (the constant k = 0 is kept).
        case low
        /// Low-pass: remove τ ≤ k ≤ p/2 (the same split as the spectrum's low/high shares).
        case high
    }

    public let p: Int
    public let selection: FrequencySelection
    public let removedFrequencies: [Int]
    /// Q: [d × rank], orthonormal columns spanning the removed directions.
    let basis: DoubleMatrix

    /// The rank of the removed subspace: the directions of activation space taken out.
    public var rank: Int { basis.cols }
    /// d_model: the dimension of the activations.
    public var dModel: Int { basis.rows }

    public init(numberUnembedding: Matrix, removed: Removed, tau: Int) throws {
        try self.init(numberUnembedding: numberUnembedding, selection: removed == .low ? .low(tau: tau) : .high(tau: tau))
    }

    public init(numberUnembedding: Matrix, selection: FrequencySelection) throws {
        let p = numberUnembedding.cols, d = numberUnembedding.rows
        self.p = p
        self.selection = selection
        removedFrequencies = selection.frequencies(p: p)
        let f = FourierFilter.basisRows(p: p, frequencies: removedFrequencies)  // [r × p]
        let w = DoubleMatrix(rows: d, cols: p, values: numberUnembedding.values.map(Double.init))
        let m = f.timesTransposed(w)  // [r × d]
        let (values, vectors) = try symmetricEigen(m.transposedTimes(m))  // d × d
        let largest = values.last ?? 0
        let kept = values.indices.filter { values[$0] > 1e-10 * max(largest, 1e-300) }
        basis = DoubleMatrix(rows: d, cols: kept.count, values: (0..<d).flatMap { r in kept.map { vectors[r, $0] } })
    }

    /// The frequencies a band removes: low is 1 ≤ k < τ, high is τ ≤ k ≤ p/2 (k = 0 is never removed).
    public static func band(_ removed: Removed, tau: Int, p: Int) -> [Int] {
        (removed == .low ? FrequencySelection.low(tau: tau) : .high(tau: tau)).frequencies(p: p)
    }

    /// The rows of `x` with the band removed.
    public func apply(_ x: Matrix) -> Matrix {
        let xd = DoubleMatrix(rows: x.rows, cols: x.cols, values: x.values.map(Double.init))
        let coordinates = xd.times(basis)  // [N × rank]
        let removedPart = coordinates.timesTransposed(basis)  // [N × d]
        return Matrix(rows: x.rows, cols: x.cols, values: zip(xd.values, removedPart.values).map { Float($0 - $1) })
    }

    /// Rows of the real orthonormal Fourier basis over p points for the given k ≥ 1:
    /// √(2/p) cos(2πkx/p) and √(2/p) sin(2πkx/p); k = p/2 (even p) has only (−1)^x / √p.
    static func basisRows(p: Int, frequencies: [Int]) -> DoubleMatrix {
        var rows: [Double] = []
        var count = 0
        for k in frequencies {
            if 2 * k == p {
                rows += (0..<p).map { x in (x % 2 == 0 ? 1 : -1) / Double(p).squareRoot() }
                count += 1
                continue
            }
            let scale = (2 / Double(p)).squareRoot()
            rows += (0..<p).map { x in scale * cos(2 * Double.pi * Double(k * x % p) / Double(p)) }
            rows += (0..<p).map { x in scale * sin(2 * Double.pi * Double(k * x % p) / Double(p)) }
            count += 2
        }
        return DoubleMatrix(rows: count, cols: p, values: rows)
    }

    /// Rows of number logits [rows × p]: each row's energy in the removed band and at every
    /// k ≥ 1, in the orthonormal real Fourier basis: (2/p)|x̂[k]|², and |x̂[p/2]|²/p for even p
    /// — the spectrum's band and non-constant energies (both from one transform, so the bands
    /// of a split add up to the total).
    public func rowEnergies(_ logits: [Float], rows: Int) -> [(band: Double, total: Double)] {
        guard rows > 0 else { return [] }
        let fft = RealFFT(length: p, count: 1, layout: .rows)
        let removed = Set(removedFrequencies)
        return (0..<rows).map { r in
            logits[r * p ..< (r + 1) * p].withUnsafeBufferPointer { input in
                fft.transform(input) { c in
                    // k = 0 is the row's mean: left out, as centring the row would.
                    var band = 0.0, total = 0.0
                    for k in 1..<fft.bins {
                        let energy = (Double(c[2 * k]) * Double(c[2 * k]) + Double(c[2 * k + 1]) * Double(c[2 * k + 1])) * (2 * k == p ? 1 : 2) / Double(p)
                        total += energy
                        if removed.contains(k) { band += energy }
                    }
                    return (band, total)
                }
            }
        }
    }

    /// The energy of number-logit rows (each centred, k ≥ 1), summed over rows: in the removed
    /// band and in all. Shares are taken against the energy before filtering, so they stay
    /// defined when filtering removes everything.
    public func bandEnergy(_ logits: Matrix) -> (band: Double, total: Double) {
        let spectrum = SpectralAnalysis.spectrum(of: logits.transposed(), center: true)
        let total = spectrum.nonConstantEnergy
        return (spectrum.energyFraction(in: Set(removedFrequencies)) * total, total)
    }
}
