/// The frequencies of a spectrum that stand out, for one-line summaries such as the lens's
/// top periods. Two rules keep the summary from naming the obvious:
/// - the slow trend (periods longer than `trendPeriod` numbers, k < p / trendPeriod) is left out:
///   a logit that drifts with the number puts its largest magnitudes at k = 1, 2, 3 whatever
///   else the spectrum holds;
/// - the rest is judged against a local background, the running median of the magnitudes over
///   k ± `window` (within the band), which follows what remains of the trend's slow decay. The
///   residuals' median and MAD over the band are the empirical null:
///   z_k = (r_k − median) / (1.4826 · MAD), and a frequency stands out when z_k ≥ `threshold`
///   (5: on Gaussian noise about 1 spectrum in 100 shows a false peak).
public enum SpectralPeaks {
    public static let trendPeriod = 20.0
    public static let window = 10
    public static let threshold = 5.0

    /// The first k outside the trend band.
    public static func firstFrequency(p: Int) -> Int { max(1, Int((Double(p) / trendPeriod).rounded(.up))) }

    /// Up to `limit` frequencies k ≥ firstFrequency(p) with z ≥ threshold, strongest first.
    public static func standingOut(_ magnitude: [Double], p: Int, limit: Int = 3) -> [(k: Int, z: Double)] {
        let first = firstFrequency(p: p), count = magnitude.count
        guard count - first >= 5 else { return [] }
        let residual = (first..<count).map { k in
            magnitude[k] - median(Array(magnitude[max(first, k - window)..<min(count, k + window + 1)]))
        }
        let centre = median(residual)
        let spread = 1.4826 * median(residual.map { abs($0 - centre) })
        guard spread > 0 else { return [] }
        let scored = residual.indices.map { (k: first + $0, z: (residual[$0] - centre) / spread) }
        return Array(scored.filter { $0.z >= threshold }.sorted { $0.z > $1.z || ($0.z == $1.z && $0.k < $1.k) }.prefix(limit))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let n = sorted.count
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
    }
}
