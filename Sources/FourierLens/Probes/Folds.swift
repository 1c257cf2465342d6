/// k-fold cross-validation splits, reproducible from a seed: the rows are shuffled once and cut
/// into k contiguous groups whose sizes differ by at most one.
public struct Folds: Sendable, Equatable {
    public let test: [[Int]]
    public let count: Int

    public init(rows: Int, folds: Int, seed: UInt64) {
        var random = SeededRandom(seed: seed)
        let order = random.permutation(rows)
        var groups: [[Int]] = []
        var start = 0
        for f in 0..<folds {
            let size = rows / folds + (f < rows % folds ? 1 : 0)
            groups.append(Array(order[start ..< start + size]).sorted())
            start += size
        }
        test = groups
        count = rows
    }

    /// The training rows of fold f: every row not in its test group.
    public func train(_ f: Int) -> [Int] {
        let held = Set(test[f])
        return (0..<count).filter { !held.contains($0) }
    }
}
