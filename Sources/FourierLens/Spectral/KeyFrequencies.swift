/// The set of frequencies that carries a spectrum's structure, found from the energies alone
/// (docs/METHODS.md, "Key frequencies"). Two rules:
/// - gap: sort the energies at k ≥ 1 in decreasing order and cut where one is the most times
///   larger than the next (within the larger half); the key set is everything above the cut,
///   and there is one only when that ratio reaches `minimumRatio` (2 by default);
/// - fraction: the smallest set of the strongest frequencies whose energy reaches a share of the
///   energy at k ≥ 1.
/// A permutation null asks whether a frequency holds more than chance; these ask which few
/// frequencies hold almost everything — a key frequency whose share equals what a shuffled
/// ordering gives each frequency is invisible to the null, never to these.
public struct KeyFrequencies: Sendable, Equatable {
    public enum Rule: String, Sendable, Codable { case gap, fraction }

    /// The key frequencies k, ascending.
    public let frequencies: [Int]
    /// Their share of the energy at k ≥ 1.
    public let energyFraction: Double
    /// The energy of the weakest key frequency over that of the strongest other one (∞ when the
    /// others hold none).
    public let gapRatio: Double
    public let rule: Rule
    /// The first frequency considered: 1, or the first periodic one when the trend is left out.
    public var first = 1

    /// `energy[k]` for k = 0…p/2; only k ≥ `first` count (k = 0, the mean, is always left out;
    /// a larger `first` leaves out the slow trend, docs/METHODS.md "Trend and periodic frequencies").
    public static func byGap(_ energy: [Double], minimumRatio: Double = 2, from first: Int = 1) -> KeyFrequencies? {
        let order = sortedFrequencies(energy, from: first)
        guard order.count >= 2 else { return nil }
        var best = 0, bestRatio = 0.0
        for j in 0..<max(1, order.count / 2) {
            let above = energy[order[j]], below = energy[order[j + 1]]
            let ratio = below > 0 ? above / below : (above > 0 ? .infinity : 0)
            if ratio > bestRatio { (best, bestRatio) = (j, ratio) }
        }
        guard bestRatio >= minimumRatio else { return nil }
        return make(Array(order[0...best]), energy, bestRatio, .gap, from: first)
    }

    public static func byFraction(_ energy: [Double], fraction: Double, from first: Int = 1) -> KeyFrequencies? {
        let order = sortedFrequencies(energy, from: first)
        let total = order.reduce(0.0) { $0 + energy[$1] }
        guard total > 0 else { return nil }
        var sum = 0.0, count = 0
        while count < order.count && sum < fraction * total {
            sum += energy[order[count]]
            count += 1
        }
        let next = count < order.count ? energy[order[count]] : 0
        return make(Array(order[0..<count]), energy, next > 0 ? energy[order[count - 1]] / next : .infinity, .fraction, from: first)
    }

    /// k ≥ first (at least 1) by decreasing energy (ties: the lower k first).
    static func sortedFrequencies(_ energy: [Double], from first: Int) -> [Int] {
        Array(energy.indices.dropFirst(max(1, first))).sorted { energy[$0] != energy[$1] ? energy[$0] > energy[$1] : $0 < $1 }
    }

    /// The energy fraction is of the energy at k ≥ first.
    static func make(_ set: [Int], _ energy: [Double], _ ratio: Double, _ rule: Rule, from first: Int) -> KeyFrequencies {
        let total = energy.dropFirst(max(1, first)).reduce(0, +)
        let inSet = set.reduce(0.0) { $0 + energy[$1] }
        var key = KeyFrequencies(frequencies: set.sorted(), energyFraction: total > 0 ? inSet / total : 0, gapRatio: ratio, rule: rule)
        key.first = max(1, first)
        return key
    }
}
