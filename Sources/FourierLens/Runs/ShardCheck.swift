import Foundation

/// What `merge` checks in a shard's per-prompt file before it trusts a value: the header's
/// counts are sane, each dataset exists with exactly the shape the header implies (checked by
/// path before it is read, so a damaged file never sends a read past its storage), and every
/// value lies where a run writes it. A failure names the shard's file and dataset (exit 2).
struct ShardCheck {
    let path: String

    func refuse(_ dataset: String, _ expected: String) -> FourierLensError {
        .badInput(file: path, dataset: dataset, expected: expected)
    }

    func require(_ condition: Bool, _ dataset: String, _ expected: @autoclosure () -> String) throws {
        guard condition else { throw refuse(dataset, expected()) }
    }

    /// Counts a header states: positive where they size a dataset, small enough not to overflow.
    static let maximumCount = 1 << 40

    /// The shard's prompts and the run's total: start ≤ end ≤ total.
    func prompts(start: Int, end: Int, total: Int) throws {
        try require(start >= 0 && start < end && end <= total && total <= Self.maximumCount, "header",
                    "prompts START:END with 0 ≤ START < END ≤ the run's prompts (found \(start):\(end) of \(total))")
    }

    /// The readouts a header names: as many layers as sites, each a known site at a layer in range.
    func readouts(sites: [String], layers: [Int]) throws {
        try require(!sites.isEmpty && sites.count == layers.count, "header", "as many layers as sites, at least one (found \(sites.count) sites, \(layers.count) layers)")
        if let bad = sites.first(where: { Site(rawValue: $0) == nil }) { throw refuse("header", "readout sites among \(Site.allCases.map(\.rawValue).joined(separator: ", ")) (found \(bad))") }
        if let bad = layers.first(where: { !(0...Site.maximumLayer).contains($0) }) { throw refuse("header", "layers 0–\(Site.maximumLayer) (found \(bad))") }
    }

    /// The numbers a header lists: at least one, increasing.
    func numbers(_ values: [Int64]) throws {
        try require(!values.isEmpty && values.count <= 1 << 24 && zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "header",
                    "a non-empty increasing list of number values (found \(values.count) values)")
    }

    /// The dataset exists at `dataset` with exactly `shape`.
    func shape(_ file: HDF5File, _ dataset: String, _ shape: [Int]) throws {
        guard file.kind(of: dataset) == .dataset else { throw refuse(dataset, "a dataset of shape \(shape) (it is missing)") }
        let info = try file.datasetInfo(dataset)
        try require(info.shape == shape && info.elementType.isNumeric, dataset, "numbers of shape \(shape) (found \(info.elementType) of shape \(info.shape))")
    }

    /// Every value finite, or NaN where `allowNaN` (a readout that had none), within `bounds`.
    func reals<T: BinaryFloatingPoint>(_ values: [T], _ dataset: String, allowNaN: Bool = false,
                                       bounds: ClosedRange<T> = -.greatestFiniteMagnitude ... .greatestFiniteMagnitude) throws {
        if let bad = values.first(where: { $0.isNaN ? !allowNaN : !($0.isFinite && bounds.contains($0)) }) {
            throw refuse(dataset, "finite values\(allowNaN ? " (or NaN for none)" : "")\(bounds.lowerBound > -.greatestFiniteMagnitude ? " ≥ \(bounds.lowerBound)" : "")\(bounds.upperBound < .greatestFiniteMagnitude ? " ≤ \(bounds.upperBound)" : ""), as a run writes them (found \(bad)); the shard is damaged or edited")
        }
    }

    /// Every integer within `bounds`.
    func integers(_ values: [Int64], _ dataset: String, _ bounds: ClosedRange<Int64>, _ meaning: String) throws {
        if let bad = values.first(where: { !bounds.contains($0) }) {
            throw refuse(dataset, "\(meaning) (\(bounds.lowerBound)…\(bounds.upperBound)), found \(bad); the shard is damaged or edited")
        }
    }

    /// /prompts/index holds the shard's own prompt numbers, in order.
    func promptIndex(_ values: [Int64], first: Int) throws {
        if let j = values.indices.first(where: { values[$0] != Int64(first + $0) }) {
            throw refuse("/prompts/index", "prompt \(first + j) at row \(j) (found \(values[j])); the shard is damaged or edited")
        }
    }
}

extension FilterStream {
    /// A filter shard's header and its datasets' shapes and prompt rows, before any statistic is read.
    static func check(_ header: Header, file: HDF5File, path: String) throws {
        let check = ShardCheck(path: path)
        try check.prompts(start: header.promptStart, end: header.promptEnd, total: header.promptsTotal)
        try check.readouts(sites: header.sites, layers: header.layers)
        try check.numbers(header.numberValues)
        try check.require(header.dModel >= 1 && header.dModel <= 1 << 20 && header.rank >= 0 && header.rank <= header.dModel, "header",
                          "1 ≤ d_model ≤ 2^20 and a removed rank within it (found d_model \(header.dModel), rank \(header.rank))")
        let n = header.promptEnd - header.promptStart, r = header.sites.count
        try check.require(r.multipliedReportingOverflow(by: n).partialValue <= ShardCheck.maximumCount / max(header.dModel, FilterRun.statistics.count), "header",
                          "readouts × prompts × d_model below 2^40")
        for dataset in ["/prompts/index", "/prompts/answer", "/prompts/answer_is_number"] { try check.shape(file, dataset, [n]) }
        try check.shape(file, "/filter/stats", [r, n, FilterRun.statistics.count])
        try check.promptIndex(try file.readIntegers("/prompts/index"), first: header.promptStart)
    }

    /// Rows of /filter/stats: energies, norms and changes finite and ≥ 0, predicted numbers an index or −1.
    static func check(stats: [Double], p: Int, path: String) throws {
        let check = ShardCheck(path: path), width = FilterRun.statistics.count
        for row in stride(from: 0, to: stats.count, by: width) {
            for s in 0..<width {
                let value = stats[row + s]
                if s == 6 || s == 7 {
                    try check.require(value.rounded() == value && value >= -1 && value < Double(p), "/filter/stats",
                                      "\(FilterRun.statistics[s]) an index into the \(p) numbers or −1 (found \(value)); the shard is damaged or edited")
                } else {
                    try check.reals([value], "/filter/stats", bounds: 0 ... .greatestFiniteMagnitude)
                }
            }
        }
    }
}
