import CKernels
import Foundation

/// One Fourier coefficient f̂(S) of a function on {−1, 1}ⁿ; S is a bit mask of coordinates.
/// Estimated coefficients carry their 95% interval.
public struct Coefficient: Sendable, Equatable {
    public let set: UInt64
    public let value: Double
    public var interval: ClosedRange<Double>? = nil
    /// Samples: the simultaneous 95% interval over every coefficient estimated (Bonferroni), which
    /// excludes 0 only when the coefficient is significant after correcting for their number.
    public var simultaneous: ClosedRange<Double>? = nil
    /// The column of a vector-valued function (activations) the coefficient belongs to.
    public var column: Int? = nil

    public var degree: Int { self.set.nonzeroBitCount }

    /// Whether the simultaneous interval excludes 0 (nil: exact, or not estimated).
    public var significant: Bool? { simultaneous.map { !$0.contains(0) } }

    /// "{1, 4, 7}" (coordinates are input columns, from 0), "∅" for the empty set.
    public static func describe(_ set: UInt64) -> String {
        guard set != 0 else { return "∅" }
        return "{" + (0..<64).filter { set >> UInt64($0) & 1 == 1 }.map(String.init).joined(separator: ", ") + "}"
    }
}

/// The exact Walsh–Hadamard spectrum of one function given on the full cube, summarised:
/// the energy at each degree W_k = Σ_{|S| = k} f̂(S)² and the largest coefficients.
public struct WalshSpectrum: Sendable {
    public let n: Int
    /// W_0 … W_n; W_0 = f̂(∅)², the squared mean.
    public let degreeEnergy: [Double]
    /// The largest |f̂(S)| over S ≠ ∅, largest first (ties by set).
    public let top: [Coefficient]
    public let mean: Double

    public init(n: Int, degreeEnergy: [Double], top: [Coefficient], mean: Double) {
        self.n = n; self.degreeEnergy = degreeEnergy; self.top = top; self.mean = mean
    }

    /// Transforms `values` (the 2ⁿ values in cube order) in place and summarises them.
    public static func transform(_ values: UnsafeMutableBufferPointer<Double>, n: Int, top k: Int) throws -> WalshSpectrum {
        precondition(values.count == 1 << n)
        var energy = [Double](repeating: 0, count: n + 1)
        var indices = [Int](repeating: 0, count: k), coefficients = [Double](repeating: 0, count: k)
        var found = 0
        let status = fl_walsh_hadamard(values.baseAddress!, Int32(n), 1 / Double(values.count), &energy, k, &indices, &coefficients, &found)
        guard status == 0 else {
            throw FourierLensError.internalFailure("the Walsh–Hadamard transform of 2^\(n) values failed (\(status))")
        }
        let top = (0..<found).map { Coefficient(set: UInt64(indices[$0]), value: coefficients[$0]) }
        return WalshSpectrum(n: n, degreeEnergy: energy, top: ranked(top), mean: values[0] / Double(values.count))
    }

    static func ranked(_ coefficients: [Coefficient]) -> [Coefficient] {
        coefficients.sorted { abs($0.value) != abs($1.value) ? abs($0.value) > abs($1.value) : ($0.column ?? 0, $0.set) < ($1.column ?? 0, $1.set) }
    }

    /// E[f²] = Σ_S f̂(S)² (Parseval).
    public var total: Double { degreeEnergy.reduce(0, +) }
    /// Var f = Σ_{S ≠ ∅} f̂(S)².
    public var variance: Double { degreeEnergy.dropFirst().reduce(0, +) }
    /// as(f) = Σ_S |S| f̂(S)²: for ±1-valued f the expected number of single-bit flips that change it.
    public var averageSensitivity: Double { BooleanMeasures.averageSensitivity(degreeEnergy) }
    /// Σ_S ρ^|S| f̂(S)².
    public func noiseStability(_ rho: Double) -> Double { BooleanMeasures.noiseStability(degreeEnergy, rho: rho) }
}

/// Measures read off the energy by degree.
public enum BooleanMeasures {
    public static func averageSensitivity(_ degreeEnergy: [Double]) -> Double {
        degreeEnergy.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
    }

    public static func noiseStability(_ degreeEnergy: [Double], rho: Double) -> Double {
        var weight = 1.0, sum = 0.0
        for w in degreeEnergy { sum += weight * w; weight *= rho }
        return sum
    }

    /// Σ k W_k / Σ_{k ≥ 1} W_k: the average degree of the non-constant energy (as of f scaled to
    /// unit variance), nil for a constant.
    public static func meanDegree(_ degreeEnergy: [Double]) -> Double? {
        let variance = degreeEnergy.dropFirst().reduce(0, +)
        return variance > 0 ? averageSensitivity(degreeEnergy) / variance : nil
    }

    /// W_k / Σ_{k ≥ 1} W_k for k = 1…n (the constant left out).
    public static func profile(_ degreeEnergy: [Double]) -> [Double] {
        let variance = degreeEnergy.dropFirst().reduce(0, +)
        return degreeEnergy.dropFirst().map { variance > 0 ? $0 / variance : 0 }
    }
}
