import Foundation
@testable import FourierLens
import Testing

/// Key frequencies: a planted set is found whole, by the gap and by the fraction; noise has none;
/// the set a permutation null cannot see (each key frequency at the share a shuffle gives every
/// frequency, every other at almost nothing) is found.
@Suite struct KeyFrequencyTests {
    /// An embedding of p numbers whose columns are cosines and sines at `keys`, plus noise.
    func planted(p: Int, d: Int, keys: [Int], noise: Double, seed: UInt64) -> Matrix {
        var random = SeededRandom(seed: seed)
        var values = [Float](repeating: 0, count: p * d)
        for a in 0..<p {
            for c in 0..<d {
                let k = keys[(c / 2) % keys.count]
                let angle = 2 * Double.pi * Double(k * a % p) / Double(p) + Double(c)
                values[a * d + c] = Float((c % 2 == 0 ? cos(angle) : sin(angle)) + noise * random.nextGaussian())
            }
        }
        return Matrix(rows: p, cols: d, values: values)
    }

    @Test func aPlantedSetIsFoundWhole() {
        let keys = [14, 35, 41, 42, 52]
        let spectrum = SpectralAnalysis.spectrum(of: planted(p: 113, d: 40, keys: keys, noise: 0.05, seed: 3), center: true)
        let gap = try! #require(KeyFrequencies.byGap(spectrum.basisEnergy))
        #expect(gap.frequencies == keys && gap.energyFraction > 0.95 && gap.gapRatio > 10)
        let fraction = try! #require(KeyFrequencies.byFraction(spectrum.basisEnergy, fraction: 0.9))
        #expect(Set(fraction.frequencies).isSubset(of: Set(keys)) && fraction.energyFraction >= 0.9)
    }

    @Test func noiseHasNoKeySet() {
        for seed in 1...20 as ClosedRange<UInt64> {
            var random = SeededRandom(seed: seed)
            let x = Matrix(rows: 113, cols: 64, values: (0..<113 * 64).map { _ in Float(random.nextGaussian()) })
            #expect(KeyFrequencies.byGap(SpectralAnalysis.spectrum(of: x, center: true).basisEnergy) == nil, "seed \(seed)")
        }
    }

    /// 56 frequencies, 5 of them holding 1/56 of the energy each and the rest almost nothing:
    /// no key frequency stands above the share a shuffle gives each one, yet the set is clear.
    @Test func theSetANullCannotSeeIsFound() {
        var energy = [Double](repeating: 1e-4, count: 57)
        energy[0] = 3
        for k in [3, 9, 20, 33, 51] { energy[k] = 1.0 / 56 }
        let found = try! #require(KeyFrequencies.byGap(energy))
        #expect(found.frequencies == [3, 9, 20, 33, 51] && found.gapRatio > 100)
        #expect(abs(found.energyFraction - 5.0 / 56 / (5.0 / 56 + 51e-4)) < 1e-12)
    }

    @Test func theFractionRuleTakesTheFewestStrongest() {
        let energy: [Double] = [9, 5, 1, 3, 1]  // k = 1…4: 5, 1, 3, 1 (total 10)
        #expect(KeyFrequencies.byFraction(energy, fraction: 0.5)!.frequencies == [1])
        #expect(KeyFrequencies.byFraction(energy, fraction: 0.8)!.frequencies == [1, 3])
        #expect(KeyFrequencies.byFraction(energy, fraction: 0.81)!.frequencies == [1, 2, 3])
        #expect(KeyFrequencies.byFraction([1, 0, 0], fraction: 0.5) == nil)
    }
}
