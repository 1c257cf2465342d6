/// Whether a layer's four sites add up as the residual stream does: resid_post = resid_pre +
/// attn_out + mlp_out (docs/SCHEMA.md). Read a block of rows at a time (memory stays bounded).
public struct AdditivityCheck: Encodable, Equatable, Sendable {
    public var layer: Int
    /// The largest |resid_pre + attn_out + mlp_out − resid_post| over every value, and the row
    /// (prompt) it is in.
    public var largestError: Double
    public var row: Int
    /// The largest error relative to its vector's scale (the largest |value| of the four
    /// d-vectors: a prompt's row, or one position of it), and the tolerance it is held to.
    public var relativeError: Double
    public var tolerance: Double
    public var holds: Bool { relativeError <= tolerance }

    enum CodingKeys: String, CodingKey {
        case layer, largestError = "largest_error", row, relativeError = "relative_error", tolerance, holds
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layer, forKey: .layer)
        try container.encode(largestError, forKey: .largestError)
        try container.encode(row, forKey: .row)
        try container.encode(relativeError, forKey: .relativeError)
        try container.encode(tolerance, forKey: .tolerance)
        try container.encode(holds, forKey: .holds)
    }

    public var warning: String {
        "layer \(layer): resid_pre + attn_out + mlp_out differs from resid_post by up to \(short(largestError)) (row \(row); "
            + "\(short(relativeError)) of its vector's scale, tolerance \(short(tolerance))): attn_out/mlp_out are not what the block adds"
    }

    /// 8 units of roundoff of the stored type (four rounded terms), and never below 1e-5: the
    /// model's own float32 sums round in another order.
    static func tolerance(_ types: [ElementType]) -> Double {
        let unit = types.map { type -> Double in
            switch type {
            case .float16: return 0x1p-11
            case .bfloat16: return 0x1p-8
            default: return 0x1p-24
            }
        }.max() ?? 0x1p-24
        return max(1e-5, 8 * unit)
    }

    /// The check of every layer whose four sites the dump holds with one shape, in layer order.
    public static func run(file: HDF5File, dump: Dump, blockBytes: Int = 16 << 20) throws -> [AdditivityCheck] {
        let sites: [Site] = [.residPre, .attnOut, .mlpOut, .residPost]
        let layers = Set(dump.activations[.residPre]?.keys.map { $0 } ?? [])
        var checks: [AdditivityCheck] = []
        for layer in layers.sorted() {
            let sources = sites.compactMap { dump.activations[$0]?[layer] }
            guard sources.count == 4, Set(sources.map(\.shape)).count == 1 else { continue }
            let infos = try sources.map { try file.datasetInfo($0.path) }
            guard infos.allSatisfy({ $0.elementType.isFloatingPoint && $0.storesItsValues }) else { continue }
            var check = AdditivityCheck(layer: layer, largestError: 0, row: 0, relativeError: 0,
                                        tolerance: tolerance(infos.map(\.elementType)))
            let shape = sources[0].shape, rowWidth = shape.dropFirst().reduce(1, *)
            let blockRows = max(1, blockBytes / 4 / max(1, rowWidth))
            let handles = try sources.map { try file.openDataset($0.path) }
            for first in stride(from: 0, to: shape[0], by: blockRows) {
                let count = min(blockRows, shape[0] - first)
                let blocks = try sources.indices.map { i -> [Float] in
                    let info = infos[i], stacked = sources[i].stackedIndex
                    var start = info.shape.map { _ in 0 }, extent = info.shape
                    let axis = stacked == nil ? 0 : 1
                    if let stacked { (start[0], extent[0]) = (stacked, 1) }
                    (start[axis], extent[axis]) = (first, count)
                    return try file.readFloats(handles[i], info, start: start, count: extent)
                }
                // One vector of d values at a time: a prompt's row, or one position of it.
                let d = shape[shape.count - 1]
                for v in 0..<(count * rowWidth / max(d, 1)) {
                    var error = 0.0, scale = 0.0
                    for c in v * d ..< (v + 1) * d {
                        let terms = blocks.map { Double($0[c]) }
                        error = max(error, abs(terms[0] + terms[1] + terms[2] - terms[3]))
                        scale = max(scale, terms.map(abs).max()!)
                    }
                    if error > check.largestError { (check.largestError, check.row) = (error, first + v * d / rowWidth) }
                    check.relativeError = max(check.relativeError, scale > 0 ? error / scale : 0)
                }
            }
            checks.append(check)
        }
        return checks
    }
}

private func short(_ x: Double) -> String { String(format: "%.3g", x) }
