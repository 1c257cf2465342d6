import CKernels
import Foundation

/// The 2ⁿ-value buffers of a cube run, made once and shared by every pass. A helper thread fills
/// them with NaN while the run starts: fresh memory's first touch costs about as much as the
/// scatter, and NaN marks the slots no string has filled yet (values are finite).
public final class CubeMemory {
    /// Columns put in cube order at a time: as many as fit in `CubeColumns.budget`, no more than needed.
    public let group: Int
    let size: Int
    private let cube: OpaquePointer

    /// Room for the widest of `widths` columns at a time (within the budget) on the cube of n bits.
    public init(n: Int, widths: [Int]) throws {
        size = 1 << n
        group = max(1, min(widths.max() ?? 1, CubeColumns.budget / (8 * size)))
        guard let cube = fl_cube_create(group * size) else {
            throw FourierLensError.internalFailure("could not allocate \(group) × 2^\(n) values")
        }
        self.cube = cube
    }

    deinit { fl_cube_destroy(cube) }

    /// The buffers (waits for the helper to finish filling them).
    var buffers: UnsafeMutableBufferPointer<Double> {
        UnsafeMutableBufferPointer(start: fl_cube_values(cube), count: group * size)
    }
}

/// Where each row of a full cube goes. Learnt in the first pass over the dump, which reads the
/// strings and the first columns' values in the same blocks; later passes reuse it.
public final class CubeLayout {
    /// Whether a later pass will need the rows' places (else the first pass keeps no table).
    let keepsOrder: Bool
    var known = false
    /// Row r's cube index; nil when row r holds string r (or when no later pass needs it).
    var order: [UInt32]? = nil

    public init(keepsOrder: Bool) { self.keepsOrder = keepsOrder }
}

/// Puts the columns of a dataset measured on a full cube in cube order: each row's value goes to
/// its string's index. Columns are taken a group at a time, as many as fit in `budget` bytes of
/// 2ⁿ-value buffers, reading the rows in blocks, so memory is bounded whatever M and C.
public enum CubeColumns {
    public static let budget = 256 << 20
    static let blockValues = 1 << 19

    /// Calls `body` with each column's index and its 2ⁿ values in cube order (the buffer is the
    /// body's to transform in place).
    public static func forEach(_ source: ColumnSource, in dump: BooleanDump, layout: CubeLayout, memory: CubeMemory,
                               _ body: (Int, UnsafeMutableBufferPointer<Double>) throws -> Void) throws {
        let size = 1 << dump.n
        precondition(memory.size == size && dump.rows == size)
        let group = min(source.width, memory.group)
        let buffers = memory.buffers
        for start in stride(from: 0, to: source.width, by: group) {
            let columns = start..<min(source.width, start + group)
            let g = columns.count
            let blockRows = max(1, min(BitStrings.blockRows, blockValues / g))
            guard !layout.known || layout.keepsOrder else {
                throw FourierLensError.internalFailure("a second pass over the cube of \(dump.path) without the rows' places")
            }
            if !layout.known {
                try firstPass(source, columns: columns, blockRows: blockRows, in: dump, layout: layout, buffers: buffers)
            } else {
                try source.forEachBlock(dump.file, columns: columns, blockRows: blockRows, rows: dump.rows) { first, values in
                    values.withUnsafeBufferPointer { block in
                        for c in 0..<g {
                            let column = buffers.baseAddress! + c * size
                            if let order = layout.order { fl_scatter(block.baseAddress! + c, block.count / g, g, order, first, column) }
                            else { fl_scatter(block.baseAddress! + c, block.count / g, g, nil, first, column) }
                        }
                    }
                }
            }
            for c in 0..<g {
                try body(columns.lowerBound + c, UnsafeMutableBufferPointer(rebasing: buffers[(c * size)..<((c + 1) * size)]))
            }
        }
    }

    /// Reads the strings and `columns` of `source` block by block, putting each value straight at
    /// its string's index. The buffers start as NaN: a slot found filled is a string seen twice
    /// (then the strings are read again to name it and its rows). M = 2ⁿ rows with none twice
    /// fill every slot.
    static func firstPass(_ source: ColumnSource, columns: Range<Int>, blockRows: Int, in dump: BooleanDump,
                          layout: CubeLayout, buffers: UnsafeMutableBufferPointer<Double>) throws {
        let size = 1 << dump.n, g = columns.count
        var values: [Double] = []
        var order: [UInt32]? = nil
        try BitStrings.forEachBlock(dump, blockRows: blockRows) { first, indices in
            try source.readBlock(dump.file, columns: columns, first: first, count: indices.count, into: &values)
            if layout.keepsOrder {
                if order == nil, fl_first_out_of_place(indices, indices.count, first) >= 0 {
                    order = (0..<dump.rows).map { UInt32(truncatingIfNeeded: $0) }  // the rows so far were in place
                }
                if order != nil { for (r, index) in indices.enumerated() { order![first + r] = UInt32(truncatingIfNeeded: index) } }
            }
            let repeated = values.withUnsafeBufferPointer { block in
                for c in 1..<max(1, g) {  // the first column's slots tell a repeat
                    _ = fl_scatter_new(block.baseAddress! + c, indices.count, g, indices, buffers.baseAddress! + c * size)
                }
                return fl_scatter_new(block.baseAddress!, indices.count, g, indices, buffers.baseAddress!)
            }
            if repeated >= 0 {
                _ = try BitStrings.cubeOrder(dump)  // throws, naming the string and where it repeats
                throw FourierLensError.internalFailure("a string of \(dump.path) was placed twice at row \(first + repeated)")
            }
        }
        layout.order = order
        layout.known = true
    }

    /// One column of `source` in cube order, as an array (a column target, kept beside the outputs).
    public static func column(_ index: Int, of source: ColumnSource, in dump: BooleanDump, layout: CubeLayout,
                              memory: CubeMemory) throws -> [Double] {
        var result: [Double] = []
        try forEach(source, in: dump, layout: layout, memory: memory) { c, values in if c == index { result = Array(values) } }
        return result
    }
}
