import CKernels
import Foundation

/// Puts the columns of a dataset measured on a full cube in cube order: each row's value goes to
/// its string's index. Columns are taken a group at a time, as many as fit in `budget` bytes of
/// 2ⁿ-value buffers, reading the rows in blocks, so memory is bounded whatever M and C.
public enum CubeColumns {
    public static let budget = 256 << 20
    static let blockValues = 1 << 19

    /// Calls `body` with each column's index and its 2ⁿ values in cube order (the buffer is the
    /// body's to transform in place).
    public static func forEach(_ source: ColumnSource, in dump: BooleanDump, order: [UInt32]?,
                               _ body: (Int, UnsafeMutableBufferPointer<Double>) throws -> Void) throws {
        let size = 1 << dump.n
        let group = max(1, min(source.width, budget / (8 * size)))
        guard let memory = fl_alloc_cube(group * size) else {
            throw FourierLensError.internalFailure("could not allocate \(group) × 2^\(dump.n) values")
        }
        defer { fl_free_cube(memory, group * size) }
        let buffers = UnsafeMutableBufferPointer(start: memory, count: group * size)
        for start in stride(from: 0, to: source.width, by: group) {
            let columns = start..<min(source.width, start + group)
            let g = columns.count
            try source.forEachBlock(dump.file, columns: columns, blockRows: max(1, blockValues / g), rows: dump.rows) { first, values in
                let rows = values.count / g
                values.withUnsafeBufferPointer { block in
                    for c in 0..<g {
                        let column = buffers.baseAddress! + c * size
                        if let order { fl_scatter(block.baseAddress! + c, rows, g, order, first, column) }
                        else { fl_scatter(block.baseAddress! + c, rows, g, nil, first, column) }
                    }
                }
            }
            for c in 0..<g {
                try body(columns.lowerBound + c, UnsafeMutableBufferPointer(rebasing: buffers[(c * size)..<((c + 1) * size)]))
            }
        }
    }

    /// One column of `source` in cube order, as an array (a column target, kept beside the outputs).
    public static func column(_ index: Int, of source: ColumnSource, in dump: BooleanDump, order: [UInt32]?) throws -> [Double] {
        var result: [Double] = []
        try forEach(source, in: dump, order: order) { c, values in if c == index { result = Array(values) } }
        return result
    }
}
