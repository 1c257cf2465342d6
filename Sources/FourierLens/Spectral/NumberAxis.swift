/// Orders the rows of a matrix by the number each row stands for, so that row i is number
/// `first + i`: the axis along which spectra are taken.
public struct NumberAxis: Equatable, Sendable {
    /// `order[i]` is the input row holding the i-th number.
    public let order: [Int]
    /// The numbers in axis order.
    public let values: [Int64]

    public var count: Int { order.count }

    /// Sorts by value. Duplicates are always refused; gaps (values that are not consecutive
    /// integers) are refused unless `allowGaps`, in which case the sorted rows are treated as
    /// equally spaced samples. Throws a message naming the first offending value.
    public static func from(values: [Int64], allowGaps: Bool) throws(NumberAxisError) -> NumberAxis {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        let sorted = order.map { values[$0] }
        for i in sorted.indices.dropFirst() {
            if sorted[i] == sorted[i - 1] { throw .duplicate(sorted[i]) }
            if !allowGaps && sorted[i] != sorted[i - 1] + 1 { throw .gap(after: sorted[i - 1], next: sorted[i]) }
        }
        return NumberAxis(order: order, values: sorted)
    }

    /// The rows of `matrix` in axis order.
    public func reorder(_ matrix: Matrix) -> Matrix { gatherRows(matrix, order) }
}

public enum NumberAxisError: Error, Equatable, CustomStringConvertible {
    case duplicate(Int64)
    case gap(after: Int64, next: Int64)

    public var description: String {
        switch self {
        case let .duplicate(value): return "unique numbers, found \(value) more than once; pass --average to use the mean of each number's rows"
        case let .gap(after, next):
            return "consecutive numbers (a contiguous range), found \(next) after \(after); pass --allow-gaps to treat the sorted rows as equally spaced"
        }
    }
}
