import Foundation

/// A value with its 95% confidence interval (nil bounds: exact, no interval).
public struct Estimate: Sendable, Codable, Equatable {
    public let value: Double
    public var low: Double? = nil
    public var high: Double? = nil

    public init(value: Double, low: Double? = nil, high: Double? = nil) {
        self.value = value; self.low = low; self.high = high
    }

    public static func exact(_ value: Double) -> Estimate { Estimate(value: value) }

    /// mean ± quantile · standard error.
    static func interval(_ value: Double, standardError: Double, quantile: Double) -> Estimate {
        Estimate(value: value, low: value - quantile * standardError, high: value + quantile * standardError)
    }

    /// The mean of independent unbiased estimates, with Student's t interval over them.
    static func mean(of draws: [Double]) -> Estimate {
        let m = Double(draws.count)
        let mean = draws.reduce(0, +) / m
        let variance = draws.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (m - 1)
        return interval(mean, standardError: (variance / m).squareRoot(), quantile: SampledSpectrum.tQuantile)
    }
}

/// Estimates from strings drawn uniformly at random (with replacement) from {−1, 1}ⁿ:
/// every coefficient f̂(S) with |S| ≤ K as the sample mean of f(x)χ_S(x) (normal 95% interval,
/// and a Bonferroni simultaneous one over all the S ≠ ∅ estimated),
/// and the energies W_k (k ≤ K), E[f²] and the sensitivity bounds as the mean of unbiased
/// estimates on B disjoint batches (Student's t interval over the batches). A batch's W_k is the
/// U-statistic Σ_{|S|=k} Σ_{i≠j} a_i a_j / (m(m − 1)) with a = f·χ_S, unbiased for Σ f̂(S)².
public struct SampledSpectrum: Sendable {
    public static let batches = 20
    /// t_{0.975} with batches − 1 = 19 degrees of freedom.
    public static let tQuantile = 2.093024054408263
    /// The standard normal's 0.975 quantile.
    public static let zQuantile = 1.959963984540054
    public static var minimumRows: Int { 2 * batches }

    /// The two-sided normal quantile z with P(|Z| > z) = α / m: Bonferroni's for m simultaneous
    /// 95% intervals (m = 1 gives zQuantile). Bisection on erfc, which is monotone.
    public static func simultaneousQuantile(_ m: Int, alpha: Double = 0.05) -> Double {
        let tail = alpha / Double(max(m, 1))
        var low = 0.0, high = 40.0
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if erfc(mid / 2.0.squareRoot()) > tail { low = mid } else { high = mid }
        }
        return (low + high) / 2
    }

    /// The coefficients given their simultaneous intervals over a family of `m` estimates, from
    /// each one's standard error (its 95% interval's half width over zQuantile).
    static func simultaneous(_ coefficients: [Coefficient], family m: Int) -> [Coefficient] {
        let z = simultaneousQuantile(m)
        return coefficients.map { c in
            guard let interval = c.interval else { return c }
            let se = (interval.upperBound - interval.lowerBound) / (2 * zQuantile)
            var c = c
            c.simultaneous = (c.value - z * se)...(c.value + z * se)
            return c
        }
    }

    public let n: Int
    public let maxDegree: Int
    public let rows: Int
    /// Every S with |S| ≤ maxDegree, in the order of `lowDegreeSets`.
    public let coefficients: [Coefficient]
    /// W_0 … W_K.
    public let degreeEnergy: [Estimate]
    /// E[f²] = Σ_S f̂(S)².
    public let total: Estimate
    /// Σ_{|S| ≤ K} |S| f̂(S)²: as(f) less the energy above degree K, a lower bound.
    public let lowDegreeSensitivity: Estimate
    /// Σ_{|S| ≤ K} |S| f̂(S)² + n·(E[f²] − Σ_{|S| ≤ K} f̂(S)²): an upper bound on as(f).
    public let sensitivityUpperBound: Estimate
    /// Each batch's unbiased estimates of W_0 … W_K, E[f²] and the two sensitivity bounds: kept
    /// so the spectra of several columns can be summed batch by batch (`summed`).
    let draws: Draws

    struct Draws: Sendable {
        var energy: [[Double]]  // [degree][batch]
        var total: [Double], low: [Double], upper: [Double]

        static func + (a: Draws, b: Draws) -> Draws {
            func add(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map(+) }
            return Draws(energy: zip(a.energy, b.energy).map(add), total: add(a.total, b.total), low: add(a.low, b.low), upper: add(a.upper, b.upper))
        }
    }

    init(n: Int, maxDegree: Int, rows: Int, coefficients: [Coefficient], draws: Draws) {
        self.n = n; self.maxDegree = maxDegree; self.rows = rows; self.coefficients = coefficients; self.draws = draws
        degreeEnergy = draws.energy.map { Estimate.mean(of: $0) }
        total = Estimate.mean(of: draws.total)
        lowDegreeSensitivity = Estimate.mean(of: draws.low)
        sensitivityUpperBound = Estimate.mean(of: draws.upper)
    }

    /// A vector-valued function's estimates from its columns' (on the same rows): W_k = Σ_c W_k(f_c),
    /// E[‖f‖²] and the sensitivity bounds, each the sum of the columns' unbiased estimates within a
    /// batch (so still unbiased per batch, with the t interval over batches); the coefficients of
    /// column's `top` largest (S ≠ ∅), each tagged with its column.
    public static func summed(_ columns: [SampledSpectrum], top k: Int) -> SampledSpectrum {
        precondition(!columns.isEmpty)
        let draws = columns.dropFirst().reduce(columns[0].draws) { $0 + $1.draws }
        // The family is every coefficient of every column (S ≠ ∅), not just the ones listed.
        let family = columns.reduce(0) { $0 + $1.coefficients.count - 1 }
        let coefficients = simultaneous(columns.enumerated().flatMap { c, s in s.top(k).map { var t = $0; t.column = c; return t } }, family: family)
        return SampledSpectrum(n: columns[0].n, maxDegree: columns[0].maxDegree, rows: columns[0].rows, coefficients: coefficients, draws: draws)
    }

    /// The number of sets with |S| ≤ k among n coordinates (saturating).
    public static func setCount(n: Int, maxDegree k: Int) -> Int {
        var total = 0.0, binomial = 1.0
        for j in 0...min(k, n) {
            total += binomial
            binomial = binomial * Double(n - j) / Double(j + 1)
        }
        return total >= Double(Int.max) ? Int.max : Int(total.rounded())
    }

    /// ∅, then every set of one coordinate, then of two, … up to k, each degree in lexicographic order.
    public static func lowDegreeSets(n: Int, maxDegree k: Int) -> [UInt64] {
        var sets: [UInt64] = []
        func extend(_ set: UInt64, from start: Int, remaining: Int) {
            if remaining == 0 { sets.append(set); return }
            guard start < n else { return }
            for i in start..<n { extend(set | UInt64(1) << UInt64(i), from: i + 1, remaining: remaining - 1) }
        }
        for degree in 0...min(k, n) { extend(0, from: 0, remaining: degree) }
        return sets
    }

    /// Estimates from `values[j]` = f(x_j) at cube indices `indices[j]`; `sets` from lowDegreeSets.
    public static func estimate(indices: [UInt64], values: [Double], n: Int, sets: [UInt64]) -> SampledSpectrum {
        precondition(indices.count == values.count && values.count >= minimumRows)
        let m = values.count, b = batches
        let batchOf = (0..<m).map { $0 * b / m }
        var batchRows = [Double](repeating: 0, count: b), batchSquares = [Double](repeating: 0, count: b)
        for j in 0..<m { batchRows[batchOf[j]] += 1; batchSquares[batchOf[j]] += values[j] * values[j] }
        let squares = batchSquares.reduce(0, +)
        let maxDegree = sets.map(\.nonzeroBitCount).max() ?? 0
        var batchEnergy = [[Double]](repeating: [Double](repeating: 0, count: b), count: maxDegree + 1)
        var coefficients: [Coefficient] = []
        coefficients.reserveCapacity(sets.count)
        var sums = [Double](repeating: 0, count: b)
        for set in sets {
            for i in 0..<b { sums[i] = 0 }
            indices.withUnsafeBufferPointer { x in
                values.withUnsafeBufferPointer { y in
                    for j in 0..<m {
                        let odd = (x[j] & set).nonzeroBitCount & 1
                        sums[batchOf[j]] += odd == 0 ? y[j] : -y[j]
                    }
                }
            }
            let sum = sums.reduce(0, +), mean = sum / Double(m)
            // Σ a_j² = Σ f(x_j)², whatever S: the sample variance of a needs no second pass.
            let variance = max(0, (squares - Double(m) * mean * mean) / Double(m - 1))
            let estimate = Estimate.interval(mean, standardError: (variance / Double(m)).squareRoot(), quantile: zQuantile)
            coefficients.append(Coefficient(set: set, value: mean, interval: estimate.low!...estimate.high!))
            let degree = set.nonzeroBitCount
            for i in 0..<b {
                let rows = batchRows[i]
                batchEnergy[degree][i] += (sums[i] * sums[i] - batchSquares[i]) / (rows * (rows - 1))
            }
        }
        let batchTotal = (0..<b).map { batchSquares[$0] / batchRows[$0] }
        let batchLow = (0..<b).map { i in (0...maxDegree).reduce(0.0) { $0 + Double($1) * batchEnergy[$1][i] } }
        let batchUpper = (0..<b).map { i in
            batchLow[i] + Double(n) * (batchTotal[i] - (0...maxDegree).reduce(0.0) { $0 + batchEnergy[$1][i] })
        }
        // The family: every S ≠ ∅ estimated, whether listed or not.
        return SampledSpectrum(n: n, maxDegree: maxDegree, rows: m, coefficients: simultaneous(coefficients, family: sets.count - 1),
                               draws: Draws(energy: batchEnergy, total: batchTotal, low: batchLow, upper: batchUpper))
    }

    /// The largest |f̂(S)| estimates over S ≠ ∅ (and over the columns of a summed spectrum).
    public func top(_ k: Int) -> [Coefficient] {
        Array(WalshSpectrum.ranked(coefficients.filter { $0.set != 0 }).prefix(k))
    }
}
