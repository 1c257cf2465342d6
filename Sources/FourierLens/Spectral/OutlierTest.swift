/// Which frequencies stand out from the null: a z-score and a p-value per k, with
/// false-discovery control across k. k = 0 (the mean) is never tested.
public struct OutlierTest: Sendable {
    public let alpha: Double
    /// nil at k = 0 (and for every k when there is no null).
    public let z: [Double?]
    public let pValue: [Double?]
    public let qValue: [Double?]
    public let outlier: [Bool]

    public var outlierFrequencies: [Int] { outlier.indices.filter { outlier[$0] } }

    /// z_k = (|X̂[k]| − mean_k) / sd_k against the null's draws at k, with |X̂[k]| computed as
    /// the draws are (`null.observed`). The p-value is one-sided (peaks only):
    /// - every ordering enumerated (`null.exact`): p_k = #{orderings reaching |X̂[k]|} / p!;
    /// - otherwise the pooled standardised null of every k ≥ 1,
    ///   (1 + #{pooled ≥ z_k}) / (1 + #pooled), but never below what the draws at k and the
    ///   null itself can resolve: #{draws at k reaching |X̂[k]|} / (1 + draws), and 1 / p!.
    /// Ties (within the null's rounding bound) count as reaching. Benjamini–Yekutieli q-values
    /// control the false discovery rate under the dependence that magnitudes sharing the same
    /// columns have; outliers are the k with q ≤ alpha and z > 0.
    public init(null: NullDistribution, alpha: Double) {
        self.alpha = alpha
        let magnitude = null.observed
        let bins = magnitude.count
        var z = [Double?](repeating: nil, count: bins)
        var p = [Double?](repeating: nil, count: bins)
        let pooled = null.pooledStandardized
        for k in 1..<max(bins, 1) {
            let score: Double
            if null.sd[k] > 0 {
                score = (magnitude[k] - null.mean[k]) / null.sd[k]
            } else {
                score = magnitude[k] > null.mean[k] ? .infinity : 0
            }
            z[k] = score
            p[k] = OutlierTest.pValue(k: k, score: score, pooled: pooled, null: null)
        }
        let q = OutlierTest.benjaminiYekutieli(p)
        self.z = z
        self.pValue = p
        self.qValue = q
        outlier = (0..<bins).map { k in
            guard let qk = q[k], let zk = z[k] else { return false }
            return qk <= alpha && zk > 0
        }
    }

    /// The p-value of frequency k (rules above).
    static func pValue(k: Int, score: Double, pooled: [Double], null: NullDistribution) -> Double {
        let draws = Double(null.draws)
        if null.exact { return Double(null.atLeast[k]) / draws }
        // A draw tied with the observed value (energies within the rounding bound) has a
        // standardised value within √tolerance / sd of z: it counts as reaching z.
        let slack = null.sd[k] > 0 ? null.tolerance.squareRoot() / null.sd[k] : 0
        let atLeast = pooled.count - lowerBound(pooled, score - slack)
        let pooledP = Double(1 + atLeast) / Double(1 + pooled.count)
        return max(pooledP, Double(null.atLeast[k]) / (1 + draws), 1 / null.orderings)
    }

    /// No null, no test: every field empty.
    public init(frequencies: Int, alpha: Double) {
        self.alpha = alpha
        z = Array(repeating: nil, count: frequencies)
        pValue = z
        qValue = z
        outlier = Array(repeating: false, count: frequencies)
    }

    /// Benjamini–Yekutieli adjusted p-values over the non-nil entries.
    static func benjaminiYekutieli(_ p: [Double?]) -> [Double?] {
        let tested = p.indices.filter { p[$0] != nil }.sorted { p[$0]! < p[$1]! }
        let m = Double(tested.count)
        guard m > 0 else { return p }
        let harmonic = (1...tested.count).reduce(0.0) { $0 + 1 / Double($1) }
        var q = [Double?](repeating: nil, count: p.count)
        var running = 1.0
        for (rank, index) in tested.enumerated().reversed() {
            running = min(running, p[index]! * m * harmonic / Double(rank + 1))
            q[index] = min(running, 1)
        }
        return q
    }
}

/// The first index whose value is ≥ `value` in ascending `sorted`.
func lowerBound(_ sorted: [Double], _ value: Double) -> Int {
    var low = 0, high = sorted.count
    while low < high {
        let mid = (low + high) / 2
        if sorted[mid] < value { low = mid + 1 } else { high = mid }
    }
    return low
}
