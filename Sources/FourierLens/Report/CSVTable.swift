/// A tidy table (one observation a row) rendered as RFC 4180 CSV: a header row, CRLF line
/// ends, fields quoted when they hold a comma, quote or line break, numbers at full precision
/// (the shortest text that reads back to the same Double), missing values empty.
public struct CSVTable: Sendable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case integer(Int)
        case number(Double)
        case flag(Bool)
        case missing
    }

    public let header: [String]
    public private(set) var rows: [[Value]] = []

    public init(header: [String]) {
        self.header = header
    }

    public mutating func append(_ row: [Value]) {
        precondition(row.count == header.count, "a CSV row must have one value per column")
        rows.append(row)
    }

    public func render() -> String {
        var lines = [header.map(CSVTable.quote).joined(separator: ",")]
        for row in rows { lines.append(row.map(CSVTable.field).joined(separator: ",")) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: Value) -> String {
        switch value {
        case let .text(text): return quote(text)
        case let .integer(n): return String(n)
        case let .number(x): return x.isNaN ? "" : (x.isInfinite ? (x > 0 ? "inf" : "-inf") : "\(x)")
        case let .flag(b): return b ? "true" : "false"
        case .missing: return ""
        }
    }

    static func quote(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension CSVTable.Value {
    public static func optional(_ x: Double?) -> CSVTable.Value { x.map(CSVTable.Value.number) ?? .missing }
}

import Foundation
