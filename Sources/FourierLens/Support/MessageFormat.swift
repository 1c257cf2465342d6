/// Ranges and sizes as messages print them: plain "0–127", not Swift's "0..<128".

/// The valid indices of a collection of `count` items, e.g. "0–127" (or "none" when empty).
public func indexRange(_ count: Int) -> String {
    count <= 0 ? "none" : numberRange(0, count - 1)
}

/// An inclusive range, e.g. "1–12" (one number when both ends agree).
public func numberRange<T: BinaryInteger>(_ low: T, _ high: T) -> String {
    low == high ? "\(low)" : "\(low)–\(high)"
}

/// Sorted distinct integers as runs, e.g. [0, 1, 2, 5] → "0–2, 5".
public func numberRuns(_ values: [Int]) -> String {
    var runs: [String] = [], index = 0
    while index < values.count {
        var end = index
        while end + 1 < values.count && values[end + 1] == values[end] + 1 { end += 1 }
        runs.append(numberRange(values[index], values[end]))
        index = end + 1
    }
    return runs.joined(separator: ", ")
}

/// A byte count in the largest unit that keeps it above 1, e.g. "3.7 TB".
public func byteCount(_ bytes: Int) -> String {
    let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f %@", value, units[unit])
}
