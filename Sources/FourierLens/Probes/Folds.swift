/// k-fold cross-validation splits, reproducible from a seed. The rows are shuffled once; without
/// strata they are cut into k contiguous groups whose sizes differ by at most one; with strata
/// the shuffled rows are stably sorted by stratum and dealt to the folds in turn, so every
/// stratum (and the whole) is spread over the folds as evenly as it can be.
public struct Folds: Sendable, Equatable {
    public let test: [[Int]]
    public let count: Int

    public init(rows: Int, folds: Int, seed: UInt64, strata: [Int]? = nil) {
        var random = SeededRandom(seed: seed)
        var order = random.permutation(rows)
        var groups = [[Int]](repeating: [], count: folds)
        if let strata {
            order = order.enumerated().sorted { (strata[$0.element], $0.offset) < (strata[$1.element], $1.offset) }.map(\.element)
            for (position, row) in order.enumerated() { groups[position % folds].append(row) }
        } else {
            var start = 0
            for f in 0..<folds {
                let size = rows / folds + (f < rows % folds ? 1 : 0)
                groups[f] = Array(order[start ..< start + size])
                start += size
            }
        }
        test = groups.map { $0.sorted() }
        count = rows
    }

    /// The training rows of fold f: every row not in its test group.
    public func train(_ f: Int) -> [Int] {
        let held = Set(test[f])
        return (0..<count).filter { !held.contains($0) }
    }
}
