import Foundation

/// Pairs of rows (a, b) whose strings differ in exactly one bit i (boolean/flip_pairs [P, 2]),
/// each a drawn uniformly at random and independently of the others. They give the influences
/// Inf_i(f) = E[((f(x) − f(x ⊕ eᵢ))/2)²] exactly per pair, hence as(f) = Σᵢ Inf_i(f) over all
/// degrees, without the Fourier expansion.
public struct FlipPairs: Sendable {
    public let first: [Int]
    public let second: [Int]
    public let coordinate: [Int]

    /// Reads and checks the pairs against the rows' cube indices.
    public static func read(_ dump: BooleanDump, indices: [UInt64]) throws -> FlipPairs {
        let info = try dump.file.datasetInfo(BooleanRoles.flipPairsPath)
        guard info.rank == 2, info.shape[1] == 2, case .integer = info.elementType else {
            throw FourierLensError.badInput(file: dump.path, dataset: info.path,
                                            expected: "integer row pairs [P, 2], found \(info.elementType) \(info.shapeDescription)")
        }
        let flat = try dump.file.readExactIntegers(info.path, start: [0, 0], count: info.shape)
        var first: [Int] = [], second: [Int] = [], coordinate: [Int] = []
        for p in 0..<info.shape[0] {
            let a = flat[2 * p], b = flat[2 * p + 1]
            guard (0..<Int64(dump.rows)).contains(a), (0..<Int64(dump.rows)).contains(b) else {
                throw FourierLensError.badInput(file: dump.path, dataset: info.path,
                                                expected: "rows within \(indexRange(dump.rows)), found (\(a), \(b)) in pair \(p)")
            }
            let difference = indices[Int(a)] ^ indices[Int(b)]
            guard difference.nonzeroBitCount == 1 else {
                throw FourierLensError.badInput(file: dump.path, dataset: info.path,
                    expected: "pairs of strings that differ in exactly one bit, found rows \(a) and \(b) differing in \(difference.nonzeroBitCount) in pair \(p)")
            }
            first.append(Int(a)); second.append(Int(b)); coordinate.append(difference.trailingZeroBitCount)
        }
        let counts = (0..<dump.n).map { i in coordinate.lazy.filter { $0 == i }.count }
        if let thin = counts.firstIndex(where: { $0 < 2 }) {
            throw FourierLensError.badInput(file: dump.path, dataset: info.path,
                expected: "at least 2 pairs flipping each of the \(dump.n) bits, found \(counts[thin]) for bit \(thin)")
        }
        return FlipPairs(first: first, second: second, coordinate: coordinate)
    }

    /// The rows that are the flipped partner of a pair: left out of the uniform sample.
    public var partners: Set<Int> { Set(second) }

    /// Inf_i per coordinate and as(f) = Σᵢ Inf_i, each with its 95% normal interval (the
    /// coordinates' means are independent, so their variances add).
    public func sensitivity(_ values: [Double], n: Int) -> (influence: [Estimate], total: Estimate) {
        sensitivity(columns: [values], n: n)
    }

    /// The same for a vector-valued f (its columns): Inf_i(f) = E[‖f(x) − f(x ⊕ eᵢ)‖²/4] = Σ_c Inf_i(f_c),
    /// one draw per pair, summed over the columns.
    public func sensitivity(columns: [[Double]], n: Int) -> (influence: [Estimate], total: Estimate) {
        var sum = [Double](repeating: 0, count: n), squares = sum, count = sum
        for p in first.indices {
            var v = 0.0
            for values in columns {
                let d = (values[first[p]] - values[second[p]]) / 2
                v += d * d
            }
            sum[coordinate[p]] += v; squares[coordinate[p]] += v * v; count[coordinate[p]] += 1
        }
        var totalVariance = 0.0
        let influence = (0..<n).map { i -> Estimate in
            let mean = sum[i] / count[i]
            let variance = max(0, (squares[i] - count[i] * mean * mean) / (count[i] - 1)) / count[i]
            totalVariance += variance
            return Estimate.interval(mean, standardError: variance.squareRoot(), quantile: SampledSpectrum.zQuantile)
        }
        let total = influence.reduce(0) { $0 + $1.value }
        return (influence, Estimate.interval(total, standardError: totalVariance.squareRoot(), quantile: SampledSpectrum.zQuantile))
    }
}
