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

    /// z_k = (|X̂[k]| − mean_k) / sd_k against the null's draws at k. The p-value is one-sided
    /// (peaks only) from the pooled standardised null draws of every k ≥ 1:
    /// p_k = (1 + #{draws ≥ z_k}) / (1 + #draws). Benjamini–Yekutieli q-values control the false
    /// discovery rate under the dependence that magnitudes sharing the same columns have;
    /// outliers are the k with q ≤ alpha and z > 0.
    public init(magnitude: [Double], null: NullDistribution, alpha: Double) {
        self.alpha = alpha
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
            let atLeast = pooled.count - lowerBound(pooled, score)
            p[k] = Double(1 + atLeast) / Double(1 + pooled.count)
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
