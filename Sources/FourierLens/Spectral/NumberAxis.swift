/// Orders the rows of a matrix by the number each row stands for, so that row i is number
/// `first + i`: the axis along which spectra are taken.
public struct NumberAxis: Equatable, Sendable {
    /// `order[i]` is the input row holding the i-th number.
    public let order: [Int]
    /// The numbers in axis order.
    public let values: [Int64]

    public var count: Int { order.count }

    /// Sorts by value. Duplicates are always refused; gaps (values that are not consecutive
    /// integers) are refused unless `allowGaps` (spectra then use NonUniformDFT at the values;
    /// the rows are never treated as equally spaced). Throws a message naming the first offending value.
    public static func from(values: [Int64], allowGaps: Bool) throws(NumberAxisError) -> NumberAxis {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        let sorted = order.map { values[$0] }
        // Duplicates first, over the whole list: a repeated number is not a gap.
        for i in sorted.indices.dropFirst() where sorted[i] == sorted[i - 1] { throw .duplicate(sorted[i]) }
        for i in sorted.indices.dropFirst() where !allowGaps && distance(sorted[i], sorted[i - 1]) != 1 {
            throw .gap(after: sorted[i - 1], next: sorted[i])
        }
        return NumberAxis(order: order, values: sorted)
    }

    /// The rows of `matrix` in axis order.
    public func reorder(_ matrix: Matrix) -> Matrix { gatherRows(matrix, order) }
}

/// |a − b| without overflow, for any two Int64 (Int64.min and Int64.max are 2⁶⁴ − 1 apart).
public func distance(_ a: Int64, _ b: Int64) -> UInt64 {
    a >= b ? UInt64(bitPattern: a &- b) : UInt64(bitPattern: b &- a)
}

public enum NumberAxisError: Error, Equatable, CustomStringConvertible {
    case duplicate(Int64)
    case gap(after: Int64, next: Int64)

    public var description: String {
        switch self {
        case let .duplicate(value): return "unique numbers, found \(value) more than once; pass --average to use the mean of each number's rows"
        case let .gap(after, next):
            return "consecutive numbers (a contiguous range), found \(next) after \(after); pass --allow-gaps to take the spectrum at the numbers' own values"
        }
    }
}
