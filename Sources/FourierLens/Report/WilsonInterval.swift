import Foundation

/// The Wilson score interval of a binomial proportion: the error bar of an accuracy measured
/// on n prompts. Unlike p̂ ± 1.96·√(p̂(1−p̂)/n) it stays within 0…1 and is not empty at p̂ = 0 or 1.
enum WilsonInterval {
    /// The 95% interval of `hits`/`n` as a share (nil when n = 0).
    static func interval(share: Double, n: Int, z: Double = 1.959963984540054) -> ClosedRange<Double>? {
        guard n > 0, share.isFinite else { return nil }
        let count = Double(n), z2 = z * z
        let centre = (share + z2 / (2 * count)) / (1 + z2 / count)
        let half = z / (1 + z2 / count) * (share * (1 - share) / count + z2 / (4 * count * count)).squareRoot()
        return max(0, centre - half)...min(1, centre + half)
    }
}
