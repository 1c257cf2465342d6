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
