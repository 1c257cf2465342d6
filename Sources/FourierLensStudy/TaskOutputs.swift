import FourierLens
import Foundation

/// Reads what a finished task wrote (summary.json, its CSVs) for the study page. A file that
/// is missing or unreadable gives empty values, never a failure: the task's own report is the
/// reference, the study page only gathers. Each file is read and decoded once: the table, the
/// headline and the charts ask for the same summary.
final class TaskOutputs {
    let folder: String
    private var summaries: [ObjectIdentifier: Any] = [:]
    private var tables: [String: [[String: String]]] = [:]

    init(folder: String) { self.folder = folder }

    /// summary.json as its kind's type (nil when missing or not of that type).
    func summary<Summary: Decodable>(_ type: Summary.Type) -> Summary? {
        if let cached = summaries[ObjectIdentifier(type)], let summary = cached as? Summary? { return summary }
        let data = FileManager.default.contents(atPath: folder + "/summary.json")
        let summary = data.flatMap { try? decodeJSON(Summary.self, from: $0) }
        summaries[ObjectIdentifier(type)] = summary as Any
        return summary
    }

    /// A CSV file as rows of named fields (RFC 4180 quoting).
    func csv(_ name: String) -> [[String: String]] {
        if let rows = tables[name] { return rows }
        let rows = readCSV(name)
        tables[name] = rows
        return rows
    }

    private func readCSV(_ name: String) -> [[String: String]] {
        guard let text = try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) else { return [] }
        let rows = TaskOutputs.parseCSV(text)
        guard let header = rows.first else { return [] }
        return rows.dropFirst().map { Dictionary(zip(header, $0), uniquingKeysWith: { first, _ in first }) }
    }

    /// A text file's contents (nil when missing or unreadable).
    func text(_ name: String) -> String? { try? String(contentsOfFile: folder + "/" + name, encoding: .utf8) }

    func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: folder + "/" + name) }

    func files(withSuffix suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = ""
        var quoted = false, afterQuote = false
        for character in text {
            if quoted {
                if character == "\"" { quoted = false; afterQuote = true } else { field.append(character) }
                continue
            }
            switch character {
            case "\"":
                if afterQuote { field.append("\"") }
                quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n":
                row.append(field); field = ""
                rows.append(row); row = []
            case "\r": break
            default: field.append(character)
            }
            afterQuote = false
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}

/// Numbers as the page prints them: a CSV cell's text (a number, else as it is), a summary's
/// number; nothing for a missing one.
func formatted(_ text: String?, digits: Int = 4) -> String {
    guard let text else { return "" }
    return Double(text).map { formatted($0, digits: digits) } ?? text
}

func formatted(_ value: Double?, digits: Int = 4) -> String { value.map { formatted($0, digits: digits) } ?? "" }

func formatted(_ value: Int?) -> String { value.map { formatted(Double($0)) } ?? "" }

/// A summary's number as JSON holds it as a number: nil when missing or not finite (written "nan", "inf").
func jsonNumber(_ value: Double?) -> Double? { value.flatMap { $0.isFinite ? $0 : nil } }

func formatted(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
    return String(format: "%.\(digits)g", value)
}

/// A spectrum summary's periodic outliers as periods, the strongest (largest z) first.
func strongestPeriods(_ outliers: [SpectrumReport.Summary.Outlier]?, limit: Int = 4) -> String {
    guard let outliers else { return "" }
    func z(_ outlier: SpectrumReport.Summary.Outlier) -> Double { jsonNumber(outlier.z) ?? 0 }
    return periods(outliers.sorted { z($0) != z($1) ? z($0) > z($1) : $0.k < $1.k }.map(\.period), limit: limit)
}

func periods(_ list: [Double]?, limit: Int = 4) -> String {
    guard let list else { return "" }
    let shown = list.prefix(limit).map { "T=\(formatted($0, digits: 3))" }
    return shown.joined(separator: " ") + (list.count > limit ? " …" : "")
}
