import Foundation

/// Reads what a finished task wrote (summary.json, its CSVs) for the study page. A file that
/// is missing or unreadable gives empty values, never a failure: the task's own report is the
/// reference, the study page only gathers.
struct TaskOutputs {
    let folder: String

    var summary: [String: Any] {
        guard let data = FileManager.default.contents(atPath: folder + "/summary.json"),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return object
    }

    /// A CSV file as rows of named fields (RFC 4180 quoting).
    func csv(_ name: String) -> [[String: String]] {
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

/// Numbers as the page prints them.
func formatted(_ value: Any?, digits: Int = 4) -> String {
    switch value {
    case let number as NSNumber: return formatted(number.doubleValue, digits: digits)
    case let text as String: return Double(text).map { formatted($0, digits: digits) } ?? text
    case nil: return ""
    default: return "\(value!)"
    }
}

func formatted(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
    if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
    return String(format: "%.\(digits)g", value)
}

/// A spectrum summary's periodic outliers as periods, the strongest (largest z) first.
func strongestPeriods(_ outliers: Any?, limit: Int = 4) -> String {
    guard let list = outliers as? [[String: Any]] else { return "" }
    func z(_ outlier: [String: Any]) -> Double { (outlier["z"] as? NSNumber)?.doubleValue ?? 0 }
    func k(_ outlier: [String: Any]) -> Int { (outlier["k"] as? NSNumber)?.intValue ?? 0 }
    return periods(list.sorted { z($0) != z($1) ? z($0) > z($1) : k($0) < k($1) }.compactMap { $0["period"] }, limit: limit)
}

func periods(_ value: Any?, limit: Int = 4) -> String {
    guard let list = value as? [Any] else { return "" }
    let shown = list.prefix(limit).map { "T=\(formatted($0, digits: 3))" }
    return shown.joined(separator: " ") + (list.count > limit ? " …" : "")
}
