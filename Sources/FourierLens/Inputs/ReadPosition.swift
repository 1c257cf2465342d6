/// Which position of [N × pos × d] activations a command reads (`--position`): one index for
/// every prompt (from 0, or negative from the end: −1 is the last), or each prompt's own
/// readout position, /prompts/position (`--position prompt`, the exporter's position="all").
public enum ReadPosition: Sendable, Equatable {
    case index(Int)
    case prompt

    public init?(_ text: String) {
        if text == "prompt" { self = .prompt } else if let index = Int(text) { self = .index(index) } else { return nil }
    }

    /// `position` as an index within 0..<width (negative counts from the end); out of range:
    /// bad input naming `dataset`. Shared by lens, filter, spectrum, probe and compare.
    public static func resolve(_ position: Int, width: Int, file: String, dataset: String) throws -> Int {
        let index = position < 0 ? width + position : position
        guard (0..<width).contains(index) else {
            throw FourierLensError.badInput(file: file, dataset: dataset,
                                            expected: "--position within \(indexRange(width)) (or -\(width) to -1 from the end), found \(position)")
        }
        return index
    }

    /// Rows [N × d] of a [N × pos × d] (layer nil) or [L × N × pos × d] dataset at this position.
    func read(_ file: HDF5File, _ path: String, _ info: DatasetInfo, layer: Int?) throws -> Matrix {
        let axis = layer == nil ? 0 : 1
        let (n, width, d) = (info.shape[axis], info.shape[axis + 1], info.shape[axis + 2])
        var start = info.shape.map { _ in 0 }, count = info.shape
        if let layer {
            guard (0..<info.shape[0]).contains(layer) else {
                throw FourierLensError.badInput(file: file.path, dataset: path, expected: "--layer within \(indexRange(info.shape[0])), found \(layer)")
            }
            (start[0], count[0]) = (layer, 1)
        }
        switch self {
        case let .index(position):
            (start[axis + 1], count[axis + 1]) = (try Self.resolve(position, width: width, file: file.path, dataset: path), 1)
            return Matrix(rows: n, cols: d, values: try file.readFloats(path, start: start, count: count))
        case .prompt:
            let positionsPath = "/prompts/position"
            guard file.kind(of: positionsPath) == .dataset else {
                throw FourierLensError.badInput(file: file.path, dataset: positionsPath, expected: "each prompt's readout position for --position prompt, but nothing is there")
            }
            let positions = try file.readIntegers(positionsPath)
            guard positions.count == n else {
                throw FourierLensError.badInput(file: file.path, dataset: positionsPath, expected: "one position per row of \(path) (\(n)), found \(positions.count)")
            }
            let all = try file.readFloats(path, start: start, count: count)
            var values: [Float] = []
            values.reserveCapacity(n * d)
            for (row, position) in positions.enumerated() {
                let index = try Self.resolve(Int(position), width: width, file: file.path, dataset: positionsPath)
                values += all[(row * width + index) * d ..< (row * width + index + 1) * d]
            }
            return Matrix(rows: n, cols: d, values: values)
        }
    }
}
