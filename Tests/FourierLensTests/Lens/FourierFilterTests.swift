import Foundation
@testable import FourierLens
import Testing

/// The filter leaves no energy in the removed band and is the closest such vector.
@Suite struct FourierFilterTests {
    @Test(arguments: [(FourierFilter.Removed.high, 5), (.low, 6)])
    func removesTheBandByOrthogonalProjection(removed: FourierFilter.Removed, tau: Int) throws {
        var random = SeededRandom(seed: 3)
        let d = 64, p = 30
        let w = Matrix(rows: d, cols: p, values: (0..<d * p).map { _ in Float(random.nextGaussian()) })
        let filter = try FourierFilter(numberUnembedding: w, removed: removed, tau: tau)
        #expect(filter.removedFrequencies == (removed == .high ? Array(5...15) : Array(1...5)))
        let x = Matrix(rows: 8, cols: d, values: (0..<8 * d).map { _ in Float(random.nextGaussian()) })
        let filtered = filter.apply(x)
        let before = Matrix(rows: 8, cols: p, values: LogitLens.numberProduct(x, w, bias: nil))
        let after = Matrix(rows: 8, cols: p, values: LogitLens.numberProduct(filtered, w, bias: nil))
        let (bandBefore, totalBefore) = filter.bandEnergy(before)
        #expect(bandBefore / totalBefore > 0.1)
        #expect(filter.bandEnergy(after).band / totalBefore < 1e-9)
        // Projection: x − x' is orthogonal to every filtered vector (the null space), so x' is the
        // closest vector to x whose number logits have no energy in the band.
        let y = filter.apply(Matrix(rows: 1, cols: d, values: (0..<d).map { _ in Float(random.nextGaussian()) }))
        for r in 0..<8 {
            let dot = (0..<d).reduce(0.0) { $0 + Double(x[r, $1] - filtered[r, $1]) * Double(y[0, $1]) }
            #expect(abs(dot) < 1e-3)
        }
        // Idempotent: filtering twice changes nothing.
        #expect(zip(filter.apply(filtered).values, filtered.values).allSatisfy { abs($0 - $1) < 1e-4 })
    }

    /// low (1 ≤ k < τ) and high (τ ≤ k ≤ p/2) split the frequencies at τ as the spectrum does.
    @Test func lowAndHighAreComplementaryAtEveryTau() {
        for p in [9, 10, 30] {
            for tau in 1...(p / 2) {
                let low = FourierFilter.band(.low, tau: tau, p: p), high = FourierFilter.band(.high, tau: tau, p: p)
                #expect(low + high == Array(1...(p / 2)), "p=\(p) tau=\(tau)")
            }
        }
    }
}
