import CKernels
import Foundation

/// The cube index of each row of boolean/inputs, read a block of rows at a time so the [M, n]
/// bits are never whole in memory.
public enum BitStrings {
    /// Rows per block of inputs (n ≤ 64 bytes each).
    public static let blockRows = 1 << 16

    /// Calls `body` with each block's first row and the cube indices of its rows. Refuses any
    /// value other than 0 or 1, naming its row and column.
    public static func forEachBlock(_ dump: BooleanDump, blockRows: Int = blockRows, _ body: (Int, [UInt64]) throws -> Void) throws {
        let n = dump.n
        let unsigned = dump.inputType == .integer(bits: 8, signed: false)
        var first = 0
        var bits: [UInt8] = [], indices: [UInt64] = []  // reused from block to block
        while first < dump.rows {
            let count = min(blockRows, dump.rows - first)
            try dump.file.readExactBytes(BooleanRoles.inputsPath, start: [first, 0], count: [count, n], unsigned: unsigned, into: &bits)
            if indices.count != count { indices = [UInt64](repeating: 0, count: count) }
            let bad = fl_bit_indices(bits, count, Int32(n), &indices)
            if bad >= 0 {
                let row = bits[(bad * n)..<(bad * n + n)]
                let column = row.firstIndex { $0 > 1 }! - bad * n
                let value = row[bad * n + column]
                throw FourierLensError.badInput(file: dump.path, dataset: BooleanRoles.inputsPath,
                    expected: "bits 0 or 1, found \(unsigned ? String(value) : BitStrings.shown(Int8(bitPattern: value))) at row \(first + bad), column \(column) (for ±1 inputs store (1 − x)/2)")
            }
            try body(first, indices)
            first += count
        }
    }

    /// A signed byte as read: HDF5 clamped wider values to −128…127.
    static func shown(_ value: Int8) -> String {
        value == 127 ? "127 or more" : value == -128 ? "−128 or less" : String(value)
    }

    /// Where each row goes in a full cube: nil when row r already holds string r (no table is
    /// kept then). Refuses a string that appears twice, naming it and the row it appears again at.
    public static func cubeOrder(_ dump: BooleanDump) throws -> [UInt32]? {
        try dump.requireCube()
        var seen = [UInt64](repeating: 0, count: max(1, dump.rows / 64))
        var order: [UInt32]? = nil
        try forEachBlock(dump) { first, indices in
            if order == nil, fl_first_out_of_place(indices, indices.count, first) >= 0 {
                order = (0..<dump.rows).map { UInt32(truncatingIfNeeded: $0) }  // the rows so far were in place
            }
            let repeated = order == nil ? fl_place_strings(indices, indices.count, first, &seen, nil)
                : fl_place_strings(indices, indices.count, first, &seen, &order!)
            if repeated >= 0 {
                throw FourierLensError.badInput(file: dump.path, dataset: BooleanRoles.inputsPath,
                    expected: "each of the 2^\(dump.n) strings once in a full cube, found \(bitString(indices[repeated], n: dump.n)) twice (again at row \(first + repeated))")
            }
        }
        return order
    }

    /// The cube index of every row (a sample).
    public static func sampleIndices(_ dump: BooleanDump) throws -> [UInt64] {
        guard MemoryBudget.fits(dump.rows, bytesEach: 8) else {
            throw FourierLensError.badInput(file: dump.path, dataset: BooleanRoles.inputsPath,
                                            expected: "a sample that fits in memory; \(MemoryBudget.shortfall(dump.rows, bytesEach: 8))")
        }
        var all: [UInt64] = []
        all.reserveCapacity(dump.rows)
        try forEachBlock(dump) { _, indices in all += indices }
        return all
    }

    /// "0110…" with bit 0 first, as the row is stored.
    public static func bitString(_ index: UInt64, n: Int) -> String {
        String((0..<n).map { (index >> UInt64($0)) & 1 == 1 ? "1" : "0" })
    }
}
