import Foundation

/// The function a model was meant to compute, to compare its spectrum with. Named targets are
/// Boolean functions t(x) ∈ {0, 1} of the bits, compared as the ±1 function 2t − 1 (so "true"
/// is +1, as a logit of "the answer is 1" is positive). A column target is an output column.
public enum TargetFunction: Sendable, Equatable {
    /// XOR of the bits of the set (a dictator when the set has one coordinate).
    case parity(UInt64)
    /// 1 when more than half the bits of the set are 1 (a tie is 0).
    case majority(UInt64)
    case and(UInt64)
    case or(UInt64)
    /// A k-junta: table[Σ_j bit(coordinates[j])·2^j] for the listed coordinates.
    case junta(coordinates: [Int], table: [Bool])
    /// Another output column, by index.
    case column(Int)

    public static let syntax = "parity:SET, majority[:SET], and[:SET], or[:SET], dictator:I, junta:SET:TABLE (2^k digits 0/1) or column:NAME|INDEX; SET as 0,3,7 or 0-9"

    /// Parses `text`; `n` bits, output columns named `columns`.
    public static func parse(_ text: String, n: Int, columns: [String]) throws -> TargetFunction {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let kind = parts[0].lowercased()
        func bad(_ why: String) -> FourierLensError {
            .badInput(file: "--target", dataset: "-", expected: "\(syntax); \(why) (found \(text))")
        }
        func set(_ index: Int) throws -> UInt64 {
            guard index < parts.count else { return n == 64 ? UInt64.max : (UInt64(1) << UInt64(n)) - 1 }
            let coordinates = try parseSet(parts[index], n: n, bad: bad)
            return coordinates.reduce(0) { $0 | UInt64(1) << UInt64($1) }
        }
        switch kind {
        case "parity" where parts.count == 2: return .parity(try set(1))
        case "dictator" where parts.count == 2:
            let s = try set(1)
            guard s.nonzeroBitCount == 1 else { throw bad("a dictator reads one coordinate") }
            return .parity(s)
        case "majority" where parts.count <= 2: return .majority(try set(1))
        case "and" where parts.count <= 2: return .and(try set(1))
        case "or" where parts.count <= 2: return .or(try set(1))
        case "junta" where parts.count == 3:
            let coordinates = try parseSet(parts[1], n: n, bad: bad)
            guard coordinates.count <= 20 else { throw bad("a junta table of at most 20 coordinates") }
            let table = Array(parts[2])
            guard table.count == 1 << coordinates.count, table.allSatisfy({ $0 == "0" || $0 == "1" }) else {
                throw bad("a table of 2^\(coordinates.count) = \(1 << coordinates.count) digits 0/1")
            }
            return .junta(coordinates: coordinates, table: table.map { $0 == "1" })
        case "column" where parts.count == 2:
            if let index = columns.firstIndex(of: parts[1]) { return .column(index) }
            guard let index = Int(parts[1]), columns.indices.contains(index) else {
                throw bad("an output column among \(columns.joined(separator: ", ")) or an index within \(indexRange(columns.count))")
            }
            return .column(index)
        default:
            throw bad("an unknown target")
        }
    }

    /// Coordinates "0,3,7" or "0-9" (or both), each within 0…n−1, none twice. Each range is
    /// checked against n before it is expanded, so 0-3000000000 costs nothing.
    static func parseSet(_ text: String, n: Int, bad: (String) -> FourierLensError) throws -> [Int] {
        var coordinates: [Int] = []
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil }), bounds.first!! <= bounds.last!! else {
                throw bad("coordinates as 0,3,7 or 0-9")
            }
            for bit in [bounds.first!!, bounds.last!!] where !(0..<n).contains(bit) {
                throw bad("bit \(bit) is outside \(indexRange(n)) (n = \(n) bits)")
            }
            coordinates += Array(bounds.first!!...bounds.last!!)
        }
        guard Set(coordinates).count == coordinates.count, !coordinates.isEmpty else { throw bad("each coordinate once") }
        return coordinates
    }

    /// The ±1 value at cube index `x` (nil for a column target, which is read, not computed).
    @inline(__always)
    public func value(_ x: UInt64) -> Double? {
        let bit: Bool
        switch self {
        case let .parity(s): bit = (x & s).nonzeroBitCount & 1 == 1
        case let .majority(s): bit = 2 * (x & s).nonzeroBitCount > s.nonzeroBitCount
        case let .and(s): bit = x & s == s
        case let .or(s): bit = x & s != 0
        case let .junta(coordinates, table):
            var index = 0
            for (j, c) in coordinates.enumerated() where x >> UInt64(c) & 1 == 1 { index |= 1 << j }
            bit = table[index]
        case .column: return nil
        }
        return bit ? 1 : -1
    }

    public var description: String {
        func s(_ set: UInt64) -> String { Coefficient.describe(set) }
        switch self {
        case let .parity(set): return set.nonzeroBitCount == 1 ? "dictator \(s(set))" : "parity of \(s(set))"
        case let .majority(set): return "majority of \(s(set))"
        case let .and(set): return "AND of \(s(set))"
        case let .or(set): return "OR of \(s(set))"
        case let .junta(coordinates, table):
            return "\(coordinates.count)-junta on \(s(coordinates.reduce(0) { $0 | UInt64(1) << UInt64($1) })), table \(String(table.map { $0 ? "1" : "0" }))"
        case let .column(index): return "output column \(index)"
        }
    }
}
